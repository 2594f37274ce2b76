/* A state machine: a tokenizer for a small expression language run over a
 * generated text, counting numbers, names, operators and comments. A
 * `switch` on the state per byte: branchy, table-driven code. */
#include "bench.h"

#define LENGTH 16384

static char text[LENGTH];

enum state { START, NUMBER, NAME, SLASH, COMMENT, STRING, ESCAPE };

static void generate(uint32_t seed) {
    static const char *pieces[] = {"x1 ", "= ", "42 ", "+ ", "foo_bar ", "/* note */ ", "\"s\\\"q\" ",
                                   "( ", ") ", "; ", "7.5 ", "// line\n", "yz ", "* ", "1000 ", "/ "};
    uint32_t state = seed * 2654435761u + 3;
    int at = 0;
    while (at < LENGTH - 16) {
        const char *piece = pieces[next_random(&state) % 16];
        while (*piece && at < LENGTH - 1) {
            text[at++] = *piece++;
        }
    }
    while (at < LENGTH) {
        text[at++] = ' ';
    }
}

static uint32_t tokenize(void) {
    uint32_t numbers = 0, names = 0, operators = 0, comments = 0, strings = 0;
    enum state state = START;
    int line_comment = 0;
    for (int i = 0; i < LENGTH; i++) {
        char c = text[i];
        switch (state) {
        case START:
        start:
            if (c >= '0' && c <= '9') {
                state = NUMBER;
            } else if ((c >= 'a' && c <= 'z') || c == '_') {
                state = NAME;
            } else if (c == '/') {
                state = SLASH;
            } else if (c == '"') {
                state = STRING;
            } else if (c != ' ' && c != '\n') {
                operators++;
            }
            break;
        case NUMBER:
            if (!((c >= '0' && c <= '9') || c == '.')) {
                numbers++;
                state = START;
                goto start;
            }
            break;
        case NAME:
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
                names++;
                state = START;
                goto start;
            }
            break;
        case SLASH:
            if (c == '*' || c == '/') {
                line_comment = c == '/';
                state = COMMENT;
            } else {
                operators++;
                state = START;
                goto start;
            }
            break;
        case COMMENT:
            if ((line_comment && c == '\n') || (!line_comment && c == '/' && text[i - 1] == '*')) {
                comments++;
                state = START;
            }
            break;
        case STRING:
            if (c == '\\') {
                state = ESCAPE;
            } else if (c == '"') {
                strings++;
                state = START;
            }
            break;
        case ESCAPE:
            state = STRING;
            break;
        }
    }
    return numbers * 3 + names * 5 + operators * 7 + comments * 11 + strings * 13;
}

static uint32_t workload(uint32_t seed) {
    generate(seed);
    return tokenize();
}
