/*
 * The CMOS real-time clock, read once at boot so that the wall clock
 * (kernel/server/host.c) starts at the calendar date, as GNU Mach's
 * does.  Nothing else touches the RTC: time then runs on the monotonic
 * clock (kern/clock.h).
 */
#include <stdbool.h>
#include <stdint.h>

#include "kern/clock.h"
#include "machine/io.h"

#define CMOS_INDEX 0x70
#define CMOS_DATA  0x71

/* Registers (the index's top bit is NMI disable: left clear). */
enum {
	RTC_SEC = 0x00,
	RTC_MIN = 0x02,
	RTC_HOUR = 0x04,
	RTC_MDAY = 0x07,
	RTC_MONTH = 0x08,
	RTC_YEAR = 0x09,
	RTC_STATUS_A = 0x0a, /* bit 7: an update is in progress */
	RTC_STATUS_B = 0x0b, /* bit 2: binary (else BCD); bit 1: 24-hour */
};

struct rtc_fields {
	unsigned sec, min, hour, mday, month, year;
};

static unsigned cmos_read(unsigned reg)
{
	outb(CMOS_INDEX, (uint8_t)reg);
	return inb(CMOS_DATA);
}

static void rtc_fetch(struct rtc_fields *f)
{
	/* Wait out an update in progress (it lasts under 2 ms); bounded so
	 * that a missing RTC cannot hang the boot. */
	for (unsigned i = 0; i < 100000 && (cmos_read(RTC_STATUS_A) & 0x80);
	     i++)
		;
	f->sec = cmos_read(RTC_SEC);
	f->min = cmos_read(RTC_MIN);
	f->hour = cmos_read(RTC_HOUR);
	f->mday = cmos_read(RTC_MDAY);
	f->month = cmos_read(RTC_MONTH);
	f->year = cmos_read(RTC_YEAR);
}

static unsigned from_bcd(unsigned v)
{
	return (v >> 4) * 10 + (v & 0xf);
}

/* Days from 1970-01-01 to YEAR-MONTH-MDAY (proleptic Gregorian). */
static int64_t days_since_epoch(int64_t year, unsigned month, unsigned mday)
{
	static const unsigned before[12] = {0,   31,  59,  90,  120, 151,
	                                    181, 212, 243, 273, 304, 334};
	int64_t y = year - 1; /* leap days of the whole years before */
	int64_t days = (year - 1970) * 365 + (y / 4 - y / 100 + y / 400) -
	               (1969 / 4 - 1969 / 100 + 1969 / 400);
	bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;

	days += before[month - 1] + (mday - 1);
	if (leap && month > 2)
		days++;
	return days;
}

int64_t machine_rtc_seconds(void)
{
	struct rtc_fields a, b;
	unsigned status;
	bool pm;

	/* Two equal reads in a row: no update happened in between. */
	rtc_fetch(&b);
	for (unsigned tries = 0; tries < 5; tries++) {
		a = b;
		rtc_fetch(&b);
		if (a.sec == b.sec && a.min == b.min && a.hour == b.hour &&
		    a.mday == b.mday && a.month == b.month && a.year == b.year)
			break;
	}
	status = cmos_read(RTC_STATUS_B);
	pm = (b.hour & 0x80) != 0;
	b.hour &= 0x7f;
	if (!(status & 0x04)) {
		b.sec = from_bcd(b.sec);
		b.min = from_bcd(b.min);
		b.hour = from_bcd(b.hour);
		b.mday = from_bcd(b.mday);
		b.month = from_bcd(b.month);
		b.year = from_bcd(b.year);
	}
	if (!(status & 0x02)) { /* 12-hour clock: 12 AM is 0 */
		b.hour %= 12;
		if (pm)
			b.hour += 12;
	}
	if (b.sec > 59 || b.min > 59 || b.hour > 23 || b.mday < 1 ||
	    b.mday > 31 || b.month < 1 || b.month > 12 || b.year > 99)
		return 0; /* no RTC, or nonsense: the epoch */
	return ((days_since_epoch(2000 + b.year, b.month, b.mday) * 24 +
	         b.hour) *
	            60 +
	        b.min) *
	           60 +
	       b.sec;
}
