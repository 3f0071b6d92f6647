/* lib/vsnprintf.c — the one printf engine (printk, panic, snprintf).
 *
 * Writes through a small cursor that counts every character it would have
 * written, so the return value is the untruncated length as in C99, and no
 * path writes past size-1.  No floating point (kernel code has no SSE).
 */
#include <lib/printf.h>
#include <lib/string.h>

struct out {
	char *buf;
	size_t size;
	size_t pos;
};

static void put(struct out *o, char c)
{
	if (o->pos + 1 < o->size)
		o->buf[o->pos] = c;
	o->pos++;
}

static printf_symbolizer_t symbolizer;

void printf_set_symbolizer(printf_symbolizer_t fn)
{
	symbolizer = fn;
}

struct spec {
	bool left, zero, plus, space, alt;
	int width, prec;
};

static void pad(struct out *o, int n, char c)
{
	while (n-- > 0)
		put(o, c);
}

static void emit_str(struct out *o, const char *s, const struct spec *sp)
{
	int len;

	if (!s)
		s = "(null)";
	len = (int)strnlen(s, sp->prec >= 0 ? (size_t)sp->prec : (size_t)-1);
	if (!sp->left)
		pad(o, sp->width - len, ' ');
	for (int i = 0; i < len; i++)
		put(o, s[i]);
	if (sp->left)
		pad(o, sp->width - len, ' ');
}

static void emit_num(struct out *o, unsigned long long v, bool neg, int base,
		     bool upper, const struct spec *sp)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	int n = 0, len, zeros = 0;
	const char *prefix = "";

	do {
		tmp[n++] = digits[v % base];
		v /= base;
	} while (v);
	if (sp->prec == 0 && n == 1 && tmp[0] == '0')
		n = 0;
	if (neg)
		prefix = "-";
	else if (sp->plus)
		prefix = "+";
	else if (sp->space)
		prefix = " ";
	if (sp->alt && base == 16 && (n > 1 || (n == 1 && tmp[0] != '0')))
		prefix = upper ? "0X" : "0x";
	/* '#' with %o: the output must start with a 0, but adds none when
	 * the digits or the precision zeros already do. */
	if (sp->alt && base == 8 && !(n == 1 && tmp[0] == '0') && sp->prec <= n)
		prefix = "0";
	len = n + (int)strlen(prefix);
	if (sp->prec > n)
		zeros = sp->prec - n;
	else if (sp->zero && !sp->left && sp->prec < 0 && sp->width > len)
		zeros = sp->width - len;
	len += zeros;
	if (!sp->left)
		pad(o, sp->width - len, ' ');
	for (const char *p = prefix; *p; p++)
		put(o, *p);
	pad(o, zeros, '0');
	while (n)
		put(o, tmp[--n]);
	if (sp->left)
		pad(o, sp->width - len, ' ');
}

static const char *parse_spec(const char *f, struct spec *sp, va_list *ap)
{
	memset(sp, 0, sizeof(*sp));
	sp->prec = -1;
	for (;; f++) {
		if (*f == '-')
			sp->left = true;
		else if (*f == '0')
			sp->zero = true;
		else if (*f == '+')
			sp->plus = true;
		else if (*f == ' ')
			sp->space = true;
		else if (*f == '#')
			sp->alt = true;
		else
			break;
	}
	if (*f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {
			sp->left = true;
			sp->width = -sp->width;
		}
		f++;
	}
	while (*f >= '0' && *f <= '9')
		sp->width = sp->width * 10 + (*f++ - '0');
	if (*f == '.') {
		f++;
		sp->prec = 0;
		if (*f == '*') {
			sp->prec = va_arg(*ap, int);
			f++;
		}
		while (*f >= '0' && *f <= '9')
			sp->prec = sp->prec * 10 + (*f++ - '0');
	}
	return f;
}

/* Length modifier: returns the number of 'l's (2 for ll/z/t/j, -1 for h,
 * -2 for hh) and advances *f. */
static int parse_len(const char **f)
{
	const char *p = *f;
	int l = 0;

	if (*p == 'h') {
		l = (p[1] == 'h') ? -2 : -1;
		p += (p[1] == 'h') ? 2 : 1;
	} else if (*p == 'l') {
		l = (p[1] == 'l') ? 2 : 1;
		p += (p[1] == 'l') ? 2 : 1;
	} else if (*p == 'z' || *p == 't' || *p == 'j') {
		l = 2;
		p++;
	}
	*f = p;
	return l;
}

static unsigned long long get_unsigned(va_list *ap, int l)
{
	if (l >= 1)
		return l == 1 ? va_arg(*ap, unsigned long)
			      : va_arg(*ap, unsigned long long);
	unsigned int v = va_arg(*ap, unsigned int);
	return l == -1 ? (unsigned short)v : l == -2 ? (unsigned char)v : v;
}

static long long get_signed(va_list *ap, int l)
{
	if (l >= 1)
		return l == 1 ? va_arg(*ap, long) : va_arg(*ap, long long);
	int v = va_arg(*ap, int);
	return l == -1 ? (short)v : l == -2 ? (signed char)v : v;
}

static void emit_unsigned(struct out *o, char conv, unsigned long long v,
			  const struct spec *sp)
{
	int base = conv == 'o' ? 8 : conv == 'u' ? 10 : 16;

	emit_num(o, v, false, base, conv == 'X', sp);
}

static void emit_pointer(struct out *o, const char **f, va_list *ap,
			 struct spec *sp)
{
	unsigned long v = (unsigned long)va_arg(*ap, void *);
	char sym[128];

	if (**f == 'S' || **f == 's') {
		(*f)++;
		if (symbolizer && symbolizer(sym, sizeof(sym), v) > 0) {
			emit_str(o, sym, sp);
			return;
		}
	}
	sp->alt = true;
	emit_num(o, v, false, 16, false, sp);
}

int vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = { buf, size, 0 };
	struct spec sp;
	va_list ap;
	int l;

	va_copy(ap, ap_in);
	for (const char *f = fmt; *f; f++) {
		if (*f != '%') {
			put(&o, *f);
			continue;
		}
		f = parse_spec(f + 1, &sp, &ap);
		l = parse_len(&f);
		switch (*f) {
		case 'd':
		case 'i': {
			long long v = get_signed(&ap, l);
			emit_num(&o, v < 0 ? -(unsigned long long)v : (unsigned long long)v,
				 v < 0, 10, false, &sp);
			break;
		}
		case 'u':
		case 'x':
		case 'X':
		case 'o':
			/* '+' and ' ' apply to signed conversions only. */
			sp.plus = sp.space = false;
			emit_unsigned(&o, *f, get_unsigned(&ap, l), &sp);
			break;
		case 'c': {
			char c[2] = { (char)va_arg(ap, int), 0 };
			sp.prec = 1;
			emit_str(&o, c, &sp);
			break;
		}
		case 's':
			emit_str(&o, va_arg(ap, const char *), &sp);
			break;
		case 'p':
			f++;
			emit_pointer(&o, &f, &ap, &sp);
			f--;
			break;
		case '%':
			put(&o, '%');
			break;
		case 0:
			f--;
			break;
		default:
			put(&o, '%');
			put(&o, *f);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.pos < size ? o.pos : size - 1] = 0;
	return (int)o.pos;
}

int snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
