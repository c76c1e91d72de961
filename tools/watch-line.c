/* SPDX-License-Identifier: MIT-0 */
/*
 * proccn-watch: the line buffer, and escaping. Names, command lines and
 * paths are bytes a process chose: in text every byte outside printable
 * ASCII is shown as \xHH (no escape sequence reaches a terminal), in JSON
 * every string is valid JSON whatever the bytes.
 */
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include "watch.h"

void line_reset(struct line *l)
{
	l->len = 0;
	l->cut = false;
}

void line_add(struct line *l, const char *s, size_t n)
{
	/* one byte is kept for the final newline */
	if (n > LINE_CAP - 1 - l->len) {
		n = LINE_CAP - 1 - l->len;
		l->cut = true;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

void line_puts(struct line *l, const char *s)
{
	line_add(l, s, strlen(s));
}

void line_printf(struct line *l, const char *fmt, ...)
{
	size_t room = LINE_CAP - 1 - l->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(l->buf + l->len, room + 1, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n > room) {
		n = (int)room;
		l->cut = true;
	}
	l->len += (size_t)n;
}

void line_pad(struct line *l, size_t start, size_t col)
{
	static const char spaces[] = "                                ";

	while (l->len - start < col && !l->cut) {
		size_t n = col - (l->len - start);

		line_add(l, spaces, n < sizeof(spaces) - 1 ? n : sizeof(spaces) - 1);
	}
}

void line_text(struct line *l, const char *str, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)str[i];
		char esc[4] = { '\\', 'x', hex[c >> 4], hex[c & 15] };

		if (c < 0x20 || c >= 0x7f)
			line_add(l, esc, 4);
		else if (c == '\\')
			line_add(l, "\\\\", 2);	/* so "\x41" in a name is not read as 'A' */
		else
			line_add(l, (const char *)&c, 1);
	}
}

/* Length of the valid UTF-8 sequence at s (max n bytes), or 0 if invalid. */
static size_t utf8_seq_len(const unsigned char *s, size_t n)
{
	size_t need, i;
	uint32_t cp;

	if (s[0] < 0xc2 || s[0] > 0xf4)
		return 0;	/* continuation byte, overlong lead, or > U+10FFFF */
	need = s[0] < 0xe0 ? 2 : s[0] < 0xf0 ? 3 : 4;
	if (n < need)
		return 0;
	cp = s[0] & (0x7f >> need);
	for (i = 1; i < need; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	/* Reject overlong forms, UTF-16 surrogates and values past U+10FFFF. */
	if ((need == 3 && cp < 0x800) || (need == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return need;
}

/*
 * Quotes and backslashes are escaped, control characters become \u00XX,
 * valid UTF-8 passes through, and each byte of invalid UTF-8 becomes
 * \u00XX (its Latin-1 reading), so the output is always valid JSON.
 */
void line_json(struct line *l, const char *str, size_t n)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, k;

	line_add(l, "\"", 1);
	while (i < n) {
		unsigned char c = s[i];

		if (c == '"' || c == '\\') {
			char esc[2] = { '\\', (char)c };

			line_add(l, esc, 2);
			i++;
		} else if (c < 0x80 && c >= 0x20 && c != 0x7f) {
			line_add(l, (const char *)s + i, 1);
			i++;
		} else if (c >= 0x80 && (k = utf8_seq_len(s + i, n - i)) > 0) {
			line_add(l, (const char *)s + i, k);
			i += k;
		} else {
			line_printf(l, "\\u%04x", c);
			i++;
		}
	}
	line_add(l, "\"", 1);
}

void line_json_or_null(struct line *l, const char *s)
{
	if (s)
		line_json(l, s, strlen(s));
	else
		line_puts(l, "null");
}

void format_wall(const struct timespec *ts, bool iso, char *buf, size_t len)
{
	unsigned usec = (unsigned)(ts->tv_nsec / 1000) % 1000000u;
	struct tm tm;
	char base[32];

	if (iso) {
		gmtime_r(&ts->tv_sec, &tm);
		strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%06uZ", base, usec);
	} else {
		localtime_r(&ts->tv_sec, &tm);
		strftime(base, sizeof(base), "%H:%M:%S", &tm);
		snprintf(buf, len, "%s.%06u", base, usec);
	}
}

/* Event timestamps are CLOCK_MONOTONIC; people want wall-clock time. */
void format_event_time(uint64_t timestamp_ns, bool iso, char *buf, size_t len)
{
	struct timespec ts;

	if (proccn_timestamp_to_realtime(timestamp_ns, &ts) < 0)
		clock_gettime(CLOCK_REALTIME, &ts);	/* best effort: "now" */
	format_wall(&ts, iso, buf, len);
}

const char *signal_name(int sig, char *buf, size_t len)
{
	const char *abbrev = sigabbrev_np(sig);

	if (abbrev)
		snprintf(buf, len, "SIG%s", abbrev);
	else
		snprintf(buf, len, "signal %d", sig);
	return buf;
}

void exit_text(struct line *l, uint32_t code)
{
	struct proccn_exit_status st;
	char sig[32];

	proccn_decode_exit(code, &st);
	if (st.exited)
		line_printf(l, "exited %d", st.code);
	else if (st.signaled)
		line_printf(l, "killed by %s%s", signal_name(st.signal, sig, sizeof(sig)),
			    st.core_dumped ? ", core dumped" : "");
	else
		line_printf(l, "status 0x%x", code);
}

int64_t lifetime_ns(const struct proccn_proc *p)
{
	if (!p || !(p->flags & PROCCN_PROC_F_EXIT) || p->start_ns == 0 || p->exit_ns < p->start_ns)
		return -1;
	return (int64_t)(p->exit_ns - p->start_ns);
}
