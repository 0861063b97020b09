/*
 * examples/echo/echo_types.h — the C type behind echo.defs' echo_text_t
 * (MIG's c_string[256]), imported by the stubs MIG generates.
 */
#ifndef ECHO_TYPES_H
#define ECHO_TYPES_H

typedef char echo_text_t[256];
typedef const char *const_echo_text_t;

#endif
