use core::fmt;

/// A WASI errno; the native walos interfaces use the same numbers.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Errno(pub u16);

macro_rules! errnos {
    ($($name:ident = $value:literal, $text:literal;)*) => {
        impl Errno {
            $(
                #[doc = concat!("`E", stringify!($name), "`: ", $text, ".")]
                pub const $name: Errno = Errno($value);
            )*

            /// The symbolic name, `EBADF` style.
            pub fn name(self) -> &'static str {
                match self.0 {
                    $($value => concat!("E", stringify!($name)),)*
                    _ => "E?",
                }
            }

            /// What it means, as `strerror` would say.
            pub fn message(self) -> &'static str {
                match self.0 {
                    $($value => $text,)*
                    _ => "unknown error",
                }
            }
        }
    };
}

errnos! {
    SUCCESS = 0, "success";
    TOOBIG = 1, "argument list too long";
    ACCES = 2, "permission denied";
    AGAIN = 6, "resource unavailable, try again";
    BADF = 8, "bad file descriptor";
    BUSY = 10, "device or resource busy";
    CHILD = 12, "no child process";
    EXIST = 20, "file exists";
    FAULT = 21, "bad address";
    FBIG = 22, "file too large";
    INVAL = 28, "invalid argument";
    IO = 29, "I/O error";
    ILSEQ = 25, "illegal byte sequence";
    ISDIR = 31, "is a directory";
    LOOP = 32, "too many levels of symbolic links";
    MFILE = 33, "too many open files";
    MLINK = 34, "too many links";
    NAMETOOLONG = 37, "filename too long";
    NOENT = 44, "no such file or directory";
    NOEXEC = 45, "executable file format error";
    NOMEM = 48, "not enough space";
    NOSYS = 52, "function not supported";
    NOSPC = 51, "no space left on device";
    NOTDIR = 54, "not a directory";
    NOTEMPTY = 55, "directory not empty";
    NOTSOCK = 57, "not a socket";
    NOTSUP = 58, "not supported";
    NOTTY = 59, "inappropriate I/O control operation";
    OVERFLOW = 61, "value too large to be stored in data type";
    PERM = 63, "operation not permitted";
    PIPE = 64, "broken pipe";
    RANGE = 68, "result too large";
    ROFS = 69, "read-only file system";
    SPIPE = 70, "invalid seek";
    SRCH = 71, "no such process";
    XDEV = 75, "cross-device link";
    NOTCAPABLE = 76, "capabilities insufficient";
}

impl fmt::Debug for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.name(), self.0)
    }
}

impl fmt::Display for Errno {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.name(), self.message())
    }
}
