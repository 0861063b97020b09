/* The serial console (serial.c). */
#ifndef X86_SERIAL_H
#define X86_SERIAL_H

/* Program COM(unit+1) for 115200 8N1 and send the console there. */
void serial_init(int unit);

#endif
