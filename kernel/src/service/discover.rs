//! Finding the provider of an import in the service store: the module
//! named after the interface, or else the one that exports `iface:func`.
//! Only export names are read while searching (nothing is compiled or
//! started), and the bytes read are kept for loading the provider found.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use crate::Kernel;

impl Kernel {
    /// The service providing `(iface, func)`: the loaded or stored module
    /// `iface`, or else the loaded or stored module that exports
    /// `iface:func`; `iface` (missing) if none does. With the module's
    /// bytes if they were read from the store here, so that loading it does
    /// not read them again. Only export names are read while searching the
    /// store: nothing is compiled or started.
    pub(super) fn provider(&mut self, iface: &str, func: &str) -> (String, Option<Vec<u8>>) {
        let qualified = format!("{iface}:{func}");
        let exports = |module: &dyn walos_engine::Module| module.exports().iter().any(|e| e.name == qualified);
        if self.services.contains_key(iface) {
            return (iface.to_string(), None);
        }
        if let Some(service) = self.services.values().find(|s| exports(&*s.module)) {
            return (service.name.clone(), None);
        }
        let store = self.sys.loader.services();
        if let Ok(wasm) = store.load(iface) {
            return (iface.to_string(), Some(wasm));
        }
        for name in store.names() {
            if let Ok(wasm) = store.load(&name)
                && crate::binary::reader::function_exports(&wasm).is_ok_and(|e| e.contains(&qualified))
            {
                return (name, Some(wasm));
            }
        }
        (iface.to_string(), None)
    }
}
