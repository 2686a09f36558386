package regschema

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"
)

// MaxPatternLen is the longest pattern, in bytes.
const MaxPatternLen = 256

// maxRepeat is the largest count in {n,m}: RE2's own limit.
const maxRepeat = 1000

// compilePattern checks that p is in the profile's pattern subset and
// compiles it with Go's regexp (RE2: linear-time matching, no
// backtracking). The subset is the syntax that means the same in ECMA-262
// (what JSON Schema specifies, with the "u" flag) and in RE2, so a pattern
// matches the same strings here and in any 2020-12 validator:
//
//   - literal characters; the syntax characters ^ $ \ . * + ? ( ) [ ] { } |
//     and / escaped with a backslash (], }, { must be escaped when literal);
//   - \d \D \w \W \b \t \n \r \f \v and \xHH;
//   - ^ and $ (start and end of the string: no multiline flag);
//   - groups (...) and (?:...), alternation |;
//   - quantifiers * + ? {n} {n,} {n,m} (n, m <= 1000), optionally lazy (?);
//   - classes [...] and [^...] of literals, escapes and ranges a-z; a
//     literal - first, last or escaped; a literal [ escaped.
//
// Refused: . (ECMA-262's excludes \r, U+2028 and U+2029, RE2's only \n:
// write a class), \s and \S (the two whitespace sets differ: list the
// characters), \B (ECMA-262 engines match it inside a surrogate pair),
// lookaround (?= (?! (?<= (?<!, backreferences \1 \k<n>, named groups, inline flags (?i), \p{..} classes, \uXXXX (write the
// character), \0, \cX, POSIX classes [[:alpha:]] and RE2-only escapes
// such as \A \z \Q.
func compilePattern(p string) (*regexp.Regexp, string) {
	if len(p) > MaxPatternLen {
		return nil, fmt.Sprintf("pattern is %d bytes; the limit is %d", len(p), MaxPatternLen)
	}
	if reason := checkPatternSyntax(p); reason != "" {
		return nil, reason
	}
	re, err := regexp.Compile(p)
	if err != nil {
		return nil, fmt.Sprintf("pattern %q does not compile: %v", p, err)
	}
	return re, ""
}

// checkPatternSyntax returns why p is outside the subset, or "".
func checkPatternSyntax(p string) string {
	sc := patternScanner{src: p}
	return sc.run()
}

type patternScanner struct {
	src string
	pos int
}

func (s *patternScanner) next() (rune, bool) {
	if s.pos >= len(s.src) {
		return 0, false
	}
	r, n := utf8.DecodeRuneInString(s.src[s.pos:])
	s.pos += n
	return r, true
}

func (s *patternScanner) peek() (rune, bool) {
	if s.pos >= len(s.src) {
		return 0, false
	}
	r, _ := utf8.DecodeRuneInString(s.src[s.pos:])
	return r, true
}

const syntaxChars = `^$\.*+?()[]{}|/`

func (s *patternScanner) run() string {
	depth := 0
	canQuantify := false // an atom precedes
	for {
		at := s.pos
		c, ok := s.next()
		if !ok {
			break
		}
		switch c {
		case '\\':
			class, reason := s.escape(false)
			if reason != "" {
				return reason
			}
			canQuantify = class != escAssertion
		case '(':
			if r, _ := s.peek(); r == '?' {
				rest := s.src[s.pos:]
				switch {
				case strings.HasPrefix(rest, "?:"):
					s.pos += 2
				case strings.HasPrefix(rest, "?=") || strings.HasPrefix(rest, "?!"):
					return fmt.Sprintf("lookahead %q at byte %d: RE2 has no lookaround (no lookahead or lookbehind)", s.src[at:s.pos+2], at)
				case strings.HasPrefix(rest, "?<=") || strings.HasPrefix(rest, "?<!"):
					return fmt.Sprintf("lookbehind %q at byte %d: RE2 has no lookaround (no lookahead or lookbehind)", s.src[at:s.pos+3], at)
				case strings.HasPrefix(rest, "?<") || strings.HasPrefix(rest, "?P<"):
					return fmt.Sprintf("named group at byte %d is not in the profile: use (...) or (?:...)", at)
				default:
					return fmt.Sprintf("%q at byte %d: inline flags and other (? groups are not in the profile (only (?:...))", s.src[at:min(len(s.src), s.pos+2)], at)
				}
			}
			depth++
			canQuantify = false
		case ')':
			if depth == 0 {
				return fmt.Sprintf("unbalanced ) at byte %d", at)
			}
			depth--
			canQuantify = true
		case '|', '^', '$':
			canQuantify = false
		case '.':
			return fmt.Sprintf(`"." at byte %d is not in the profile: ECMA-262 and RE2 disagree on the line terminators it excludes; write a class such as [^\n]`, at)
		case '*', '+', '?':
			if !canQuantify {
				return fmt.Sprintf("%q at byte %d has nothing to repeat", c, at)
			}
			s.lazy()
			canQuantify = false
		case '{':
			if !canQuantify {
				return fmt.Sprintf("%q at byte %d has nothing to repeat (escape a literal { as \\{)", c, at)
			}
			if reason := s.braces(at); reason != "" {
				return reason
			}
			s.lazy()
			canQuantify = false
		case '}', ']':
			return fmt.Sprintf("%q at byte %d must be escaped as \\%c", c, at, c)
		case '[':
			if reason := s.class(at); reason != "" {
				return reason
			}
			canQuantify = true
		default:
			canQuantify = true
		}
	}
	if depth != 0 {
		return "unbalanced ( (missing ))"
	}
	return ""
}

func (s *patternScanner) lazy() {
	if r, _ := s.peek(); r == '?' {
		s.pos++
	}
}

// braces reads the rest of a {n}, {n,} or {n,m} quantifier.
func (s *patternScanner) braces(at int) string {
	readInt := func() (int, bool) {
		n, digits := 0, 0
		for s.pos < len(s.src) && isDigit(s.src[s.pos]) {
			if n <= maxRepeat {
				n = n*10 + int(s.src[s.pos]-'0')
			}
			s.pos++
			digits++
		}
		return n, digits > 0
	}
	bad := fmt.Sprintf("malformed quantifier at byte %d (want {n}, {n,} or {n,m}; escape a literal { as \\{)", at)
	lo, ok := readInt()
	if !ok {
		return bad
	}
	hi := lo
	if s.pos < len(s.src) && s.src[s.pos] == ',' {
		s.pos++
		var has bool
		hi, has = readInt()
		if !has {
			hi = lo
		}
	}
	if s.pos >= len(s.src) || s.src[s.pos] != '}' {
		return bad
	}
	s.pos++
	if lo > maxRepeat || hi > maxRepeat {
		return fmt.Sprintf("quantifier at byte %d: counts above %d are not allowed", at, maxRepeat)
	}
	if hi < lo {
		return fmt.Sprintf("quantifier at byte %d: {%d,%d} is out of order", at, lo, hi)
	}
	return ""
}

type escKind int

const (
	escChar      escKind = iota // one character: can be a range endpoint
	escClass                    // \d \D \w \W
	escAssertion                // \b
)

// escape reads an escape after its backslash; inClass is true inside [...].
func (s *patternScanner) escape(inClass bool) (escKind, string) {
	at := s.pos - 1
	c, ok := s.next()
	if !ok {
		return 0, "trailing backslash"
	}
	switch {
	case strings.ContainsRune(syntaxChars, c):
		return escChar, ""
	case c == '-' && inClass:
		return escChar, ""
	case strings.ContainsRune("tnrfv", c):
		return escChar, ""
	case strings.ContainsRune("dDwW", c):
		return escClass, ""
	case c == 'b' && !inClass:
		return escAssertion, ""
	case c == 'B' && !inClass:
		// ECMA-262 engines try the position inside a surrogate pair, where
		// \B holds: "a😀A" matches \B there and not in RE2.
		return 0, fmt.Sprintf(`\B at byte %d is not in the profile (ECMA-262 and RE2 disagree next to characters outside the BMP)`, at)
	case c == 'x':
		if s.pos+2 <= len(s.src) {
			_, ok1 := hexVal(s.src[s.pos])
			_, ok2 := hexVal(s.src[s.pos+1])
			if ok1 && ok2 {
				s.pos += 2
				return escChar, ""
			}
		}
		return 0, fmt.Sprintf(`\x at byte %d: want exactly two hex digits (\xHH)`, at)
	case c == 's' || c == 'S':
		return 0, fmt.Sprintf(`\%c at byte %d is not in the profile: ECMA-262 and RE2 have different whitespace sets; list the characters, e.g. [ \t\n\r]`, c, at)
	case c >= '1' && c <= '9' || c == 'k':
		return 0, fmt.Sprintf(`backreference \%c at byte %d: RE2 has no backreferences`, c, at)
	case c == 'p' || c == 'P':
		return 0, fmt.Sprintf(`\%c at byte %d: Unicode property classes are not in the profile`, c, at)
	case c == 'u':
		return 0, fmt.Sprintf(`\u at byte %d is not in the profile: write the character itself`, at)
	}
	return 0, fmt.Sprintf(`escape \%c at byte %d is not in the profile`, c, at)
}

// class reads the rest of a [...] class.
func (s *patternScanner) class(at int) string {
	if r, _ := s.peek(); r == '^' {
		s.pos++
	}
	first := true
	prevChar := false // the previous item is a single character
	var prev rune
	for {
		itemAt := s.pos
		c, ok := s.next()
		if !ok {
			return fmt.Sprintf("unterminated class starting at byte %d (missing ])", at)
		}
		switch c {
		case ']':
			if first {
				return fmt.Sprintf("empty class at byte %d", at)
			}
			return ""
		case '[':
			return fmt.Sprintf(`literal "[" at byte %d inside a class must be escaped as \[`, itemAt)
		case '-':
			if first {
				prevChar, prev = true, '-'
				break
			}
			if r, _ := s.peek(); r == ']' {
				break // literal - last
			}
			if !prevChar {
				return fmt.Sprintf(`"-" at byte %d: a literal - inside a class must be first, last or escaped as \-`, itemAt)
			}
			lo := prev
			hiAt := s.pos
			hc, ok := s.next()
			if !ok {
				return fmt.Sprintf("unterminated class starting at byte %d (missing ])", at)
			}
			hi := hc
			switch hc {
			case '\\':
				kind, reason := s.escape(true)
				if reason != "" {
					return reason
				}
				if kind != escChar {
					return fmt.Sprintf("range at byte %d ends in a class escape", itemAt)
				}
				hi = escapedRune(s.src[hiAt:s.pos])
			case '[', '-':
				return fmt.Sprintf(`"-" at byte %d: a literal - inside a class must be first, last or escaped as \-`, itemAt)
			}
			if hi < lo {
				return fmt.Sprintf("range %q-%q before byte %d is out of order", lo, hi, s.pos)
			}
			prevChar = false // a-z-0 is refused: - after a range must be escaped
		case '\\':
			kind, reason := s.escape(true)
			if reason != "" {
				return reason
			}
			prevChar = kind == escChar
			if prevChar {
				prev = escapedRune(s.src[itemAt:s.pos])
			}
		default:
			prevChar, prev = true, c
		}
		first = false
	}
}

// escapedRune returns the character a one-character escape stands for.
func escapedRune(esc string) rune {
	switch esc {
	case `\t`:
		return '\t'
	case `\n`:
		return '\n'
	case `\r`:
		return '\r'
	case `\f`:
		return '\f'
	case `\v`:
		return '\v'
	}
	if len(esc) == 4 && esc[1] == 'x' {
		h, _ := hexVal(esc[2])
		l, _ := hexVal(esc[3])
		return h<<4 | l
	}
	r, _ := utf8.DecodeRuneInString(esc[1:])
	return r
}
