package regschema

import "strings"

// The formats of the profile. They are asserted: a string that does not
// match its format fails validation. Each is checked by hand here (no
// time, net or net/url parsing whose behaviour could change with the Go
// version or the machine), and each accepts a subset of what the RFC it
// names allows, so a record valid here is valid for any 2020-12 validator
// that asserts formats.
const (
	FormatDate     = "date"      // RFC 3339 full-date: 2024-02-29 (calendar checked)
	FormatDateTime = "date-time" // RFC 3339 date-time with Z or a ±hh:mm offset
	FormatEmail    = "email"     // dot-atom@host.name, at most 254 bytes
	FormatUUID     = "uuid"      // RFC 4122 8-4-4-4-12 hex digits, any case
	FormatURI      = "uri"       // RFC 3986 absolute URI (scheme required), ASCII only
	FormatAddress  = "address"   // citychain account address: 40 lowercase hex characters
	FormatHash     = "hash"      // SHA-256 digest: 64 lowercase hex characters
)

// formats lists the profile's formats in sorted order. boundsLength says
// whether the format's syntax bounds the string's length (then maxLength
// may be omitted).
var formats = []struct {
	name         string
	check        func(string) string
	boundsLength bool
}{
	{FormatAddress, checkAddress, true},
	{FormatDate, checkDate, true},
	{FormatDateTime, checkDateTime, false},
	{FormatEmail, checkEmail, true},
	{FormatHash, checkHash, true},
	{FormatURI, checkURI, false},
	{FormatUUID, checkUUID, true},
}

// Formats returns the names of the profile's formats, sorted.
func Formats() []string {
	out := make([]string, len(formats))
	for i, f := range formats {
		out[i] = f.name
	}
	return out
}

func lookupFormat(name string) (func(string) string, bool, bool) {
	for _, f := range formats {
		if f.name == name {
			return f.check, f.boundsLength, true
		}
	}
	return nil, false, false
}

func isLowerHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f') {
			return false
		}
	}
	return true
}

func checkAddress(s string) string {
	if len(s) != 40 || !isLowerHex(s) {
		return "want an account address (40 lowercase hex characters)"
	}
	return ""
}

func checkHash(s string) string {
	if len(s) != 64 || !isLowerHex(s) {
		return "want a hash (64 lowercase hex characters)"
	}
	return ""
}

func checkUUID(s string) string {
	if len(s) != 36 {
		return "want a uuid (8-4-4-4-12 hex digits)"
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if i == 8 || i == 13 || i == 18 || i == 23 {
			if c != '-' {
				return "want a uuid (8-4-4-4-12 hex digits)"
			}
			continue
		}
		if _, ok := hexVal(c); !ok {
			return "want a uuid (8-4-4-4-12 hex digits)"
		}
	}
	return ""
}

// digits parses s (all ASCII digits, non-empty) as a decimal number.
func digits(s string) (int, bool) {
	if s == "" {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		if !isDigit(s[i]) {
			return 0, false
		}
		n = n*10 + int(s[i]-'0')
	}
	return n, true
}

func isLeap(y int) bool { return y%4 == 0 && (y%100 != 0 || y%400 == 0) }

func daysIn(y, m int) int {
	switch m {
	case 2:
		if isLeap(y) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

func checkDate(s string) string {
	const want = "want a date (RFC 3339 full-date YYYY-MM-DD)"
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return want
	}
	y, ok1 := digits(s[0:4])
	m, ok2 := digits(s[5:7])
	d, ok3 := digits(s[8:10])
	if !ok1 || !ok2 || !ok3 {
		return want
	}
	if m < 1 || m > 12 {
		return want + ": month out of range"
	}
	if d < 1 || d > daysIn(y, m) {
		return want + ": day out of range"
	}
	return ""
}

// checkDateTime checks an RFC 3339 date-time:
// YYYY-MM-DD "T" hh:mm:ss[.fraction] ("Z" / ("+"/"-") hh:mm), T and Z in
// either case. A leap second (ss = 60) is valid only at 23:59 UTC.
func checkDateTime(s string) string {
	const want = "want a date-time (RFC 3339, e.g. 2024-02-29T13:45:00Z or ...+09:00)"
	if len(s) < 20 || (s[10] != 'T' && s[10] != 't') {
		return want
	}
	if r := checkDate(s[:10]); r != "" {
		return want + ": invalid date"
	}
	t := s[11:]
	if len(t) < 9 || t[2] != ':' || t[5] != ':' {
		return want
	}
	h, ok1 := digits(t[0:2])
	mi, ok2 := digits(t[3:5])
	sec, ok3 := digits(t[6:8])
	if !ok1 || !ok2 || !ok3 || h > 23 || mi > 59 || sec > 60 {
		return want + ": time out of range"
	}
	t = t[8:]
	if strings.HasPrefix(t, ".") {
		n := 1
		for n < len(t) && isDigit(t[n]) {
			n++
		}
		if n == 1 {
			return want + ": no digits after '.'"
		}
		t = t[n:]
	}
	utc := h*60 + mi
	switch {
	case t == "Z" || t == "z":
	case len(t) == 6 && (t[0] == '+' || t[0] == '-') && t[3] == ':':
		oh, ok1 := digits(t[1:3])
		om, ok2 := digits(t[4:6])
		if !ok1 || !ok2 || oh > 23 || om > 59 {
			return want + ": offset out of range"
		}
		off := oh*60 + om
		if t[0] == '+' {
			off = -off
		}
		utc = ((utc+off)%1440 + 1440) % 1440
	default:
		return want + ": want Z or a ±hh:mm offset"
	}
	if sec == 60 && utc != 23*60+59 {
		return want + ": a leap second is only valid at 23:59:60 UTC"
	}
	return ""
}

// atext is RFC 5322's atext: the characters of a dot-atom besides ".".
func isAtext(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
		strings.IndexByte("!#$%&'*+-/=?^_`{|}~", c) >= 0
}

// checkEmail checks a simple address: local@domain, at most 254 bytes,
// exactly one @, the local part a dot-atom of at most 64 bytes (no quoted
// strings), the domain a host name with at least one dot (labels of
// letters, digits and hyphens, 1 to 63 long, not starting or ending with a
// hyphen; no IP literals).
func checkEmail(s string) string {
	const want = "want an email address (local@domain.tld)"
	if len(s) > 254 {
		return want + ": longer than 254 bytes"
	}
	at := strings.IndexByte(s, '@')
	if at < 0 || strings.IndexByte(s[at+1:], '@') >= 0 {
		return want + ": want exactly one @"
	}
	local, domain := s[:at], s[at+1:]
	if local == "" || len(local) > 64 {
		return want + ": the local part must be 1 to 64 bytes"
	}
	for _, part := range strings.Split(local, ".") {
		if part == "" {
			return want + ": misplaced dot in the local part"
		}
		for i := 0; i < len(part); i++ {
			if !isAtext(part[i]) {
				return want + ": invalid character in the local part"
			}
		}
	}
	if !strings.Contains(domain, ".") {
		return want + ": the domain needs a dot"
	}
	if r := checkHostname(domain); r != "" {
		return want + ": " + r
	}
	return ""
}

// checkHostname checks a DNS host name: at most 253 bytes, dot-separated
// labels of 1 to 63 letters, digits and hyphens, not starting or ending
// with a hyphen (no trailing dot).
func checkHostname(s string) string {
	if len(s) > 253 {
		return "the domain is longer than 253 bytes"
	}
	for _, label := range strings.Split(s, ".") {
		if label == "" || len(label) > 63 {
			return "each domain label must be 1 to 63 bytes"
		}
		if label[0] == '-' || label[len(label)-1] == '-' {
			return "a domain label starts or ends with a hyphen"
		}
		for i := 0; i < len(label); i++ {
			c := label[i]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-') {
				return "invalid character in the domain"
			}
		}
	}
	return ""
}

func isAlpha(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func isUnreserved(c byte) bool {
	return isAlpha(c) || isDigit(c) || c == '-' || c == '.' || c == '_' || c == '~'
}

func isSubDelim(c byte) bool { return strings.IndexByte("!$&'()*+,;=", c) >= 0 }

// uriChars reports whether s is made of unreserved and sub-delims
// characters, the extra characters given, and (if pct) valid %XX escapes.
func uriChars(s, extra string, pct bool) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case isUnreserved(c) || isSubDelim(c) || strings.IndexByte(extra, c) >= 0:
		case c == '%' && pct:
			if i+2 >= len(s) {
				return false
			}
			if _, ok := hexVal(s[i+1]); !ok {
				return false
			}
			if _, ok := hexVal(s[i+2]); !ok {
				return false
			}
			i += 2
		default:
			return false
		}
	}
	return true
}

// checkURI checks an RFC 3986 absolute URI:
// scheme ":" hier-part [ "?" query ] [ "#" fragment ], ASCII only. The
// host is a registered name without percent-encoding, an IPv4 address or
// a bracketed IPv6 address (no IPvFuture, no zone).
func checkURI(s string) string {
	const want = "want an absolute URI (RFC 3986, with a scheme)"
	colon := strings.IndexByte(s, ':')
	if colon < 1 || !isAlpha(s[0]) {
		return want + ": missing scheme"
	}
	for i := 1; i < colon; i++ {
		if c := s[i]; !(isAlpha(c) || isDigit(c) || c == '+' || c == '-' || c == '.') {
			return want + ": invalid character in the scheme"
		}
	}
	rest := s[colon+1:]
	if i := strings.IndexByte(rest, '#'); i >= 0 {
		if !uriChars(rest[i+1:], ":@/?", true) {
			return want + ": invalid character in the fragment"
		}
		rest = rest[:i]
	}
	if i := strings.IndexByte(rest, '?'); i >= 0 {
		if !uriChars(rest[i+1:], ":@/?", true) {
			return want + ": invalid character in the query"
		}
		rest = rest[:i]
	}
	path := rest
	if strings.HasPrefix(rest, "//") {
		auth := rest[2:]
		path = ""
		if i := strings.IndexByte(auth, '/'); i >= 0 {
			auth, path = auth[:i], auth[i:]
		}
		if r := checkAuthority(auth); r != "" {
			return want + ": " + r
		}
	}
	if !uriChars(path, ":@/", true) {
		return want + ": invalid character in the path"
	}
	return ""
}

// checkAuthority checks [ userinfo "@" ] host [ ":" port ].
func checkAuthority(a string) string {
	if i := strings.LastIndexByte(a, '@'); i >= 0 {
		if !uriChars(a[:i], ":", true) {
			return "invalid character in the user information"
		}
		a = a[i+1:]
	}
	host := a
	if strings.HasPrefix(a, "[") {
		end := strings.IndexByte(a, ']')
		if end < 0 {
			return "unterminated [ in the host"
		}
		if !isIPv6(a[1:end]) {
			return "invalid IPv6 address in the host"
		}
		host, a = "", a[end+1:]
		if a != "" && a[0] != ':' {
			return "unexpected characters after the IPv6 address"
		}
	} else if i := strings.LastIndexByte(a, ':'); i >= 0 {
		host, a = a[:i], a[i:]
	} else {
		a = ""
	}
	if a != "" { // ":" port
		if _, ok := digits(a[1:]); !ok && a != ":" {
			return "the port must be digits"
		}
	}
	if !uriChars(host, "", false) {
		return "invalid character in the host"
	}
	return ""
}

// isIPv4 checks a dotted-quad of decimal octets without leading zeros.
func isIPv4(s string) bool {
	parts := strings.Split(s, ".")
	if len(parts) != 4 {
		return false
	}
	for _, p := range parts {
		if len(p) > 3 || (len(p) > 1 && p[0] == '0') {
			return false
		}
		n, ok := digits(p)
		if !ok || n > 255 {
			return false
		}
	}
	return true
}

// isIPv6 checks RFC 4291 text: eight groups of 1 to 4 hex digits, one ::
// standing for one or more zero groups, the last two groups optionally an
// IPv4 address.
func isIPv6(s string) bool {
	groups := 0
	head, tail, compressed := strings.Cut(s, "::")
	if compressed && strings.Contains(tail, "::") {
		return false
	}
	count := func(part string, last bool) bool {
		if part == "" {
			return true
		}
		fields := strings.Split(part, ":")
		for i, f := range fields {
			if last && i == len(fields)-1 && strings.Contains(f, ".") {
				if !isIPv4(f) {
					return false
				}
				groups += 2
				continue
			}
			if f == "" || len(f) > 4 {
				return false
			}
			for j := 0; j < len(f); j++ {
				if _, ok := hexVal(f[j]); !ok {
					return false
				}
			}
			groups++
		}
		return true
	}
	if !compressed {
		return count(s, true) && groups == 8
	}
	return count(head, false) && count(tail, true) && groups <= 7
}
