package mqttauth

import (
	"bufio"
	"bytes"
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
)

// Iterations is the PBKDF2 iteration count of new password hashes, the
// count mosquitto_passwd uses.
const Iterations = 101

const (
	saltLen = 12 // bytes, as mosquitto_passwd
	hashLen = 64 // SHA-512
)

// Passwords is a Mosquitto password_file: one "user:hash" per line, the
// hash "$7$<iterations>$<base64 salt>$<base64 PBKDF2-HMAC-SHA512>" (or the
// older "$6$<salt>$<SHA-512(password+salt)>"); '#' starts a comment line.
type Passwords struct {
	users map[string]pwHash
	order []string
}

type pwHash struct {
	kind       byte // '6' or '7'
	iterations int
	salt, hash []byte
	text       string
}

// ParsePasswords reads a password file; name appears in errors.
func ParsePasswords(name string, r io.Reader) (*Passwords, error) {
	p := &Passwords{users: map[string]pwHash{}}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 4096), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimRight(sc.Text(), " \t\r")
		if strings.TrimSpace(line) == "" || strings.HasPrefix(line, "#") {
			continue
		}
		user, hash, ok := strings.Cut(line, ":")
		user = strings.TrimSpace(user)
		if !ok || user == "" {
			return nil, fmt.Errorf("%s:%d: want user:$7$iterations$salt$hash, got %q", name, n, clip(line))
		}
		if err := checkName(user); err != nil {
			return nil, fmt.Errorf("%s:%d: user %q: %w", name, n, clip(user), err)
		}
		h, err := parseHash(strings.TrimSpace(hash))
		if err != nil {
			return nil, fmt.Errorf("%s:%d: user %s: %w", name, n, user, err)
		}
		if _, dup := p.users[user]; dup {
			return nil, fmt.Errorf("%s:%d: user %s listed twice", name, n, user)
		}
		p.users[user] = h
		p.order = append(p.order, user)
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return p, nil
}

// LoadPasswords reads the password file at path.
func LoadPasswords(path string) (*Passwords, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("password file: %w", err)
	}
	return ParsePasswords(path, bytes.NewReader(b))
}

func parseHash(s string) (pwHash, error) {
	f := strings.Split(s, "$")
	h := pwHash{text: s}
	switch {
	case len(f) == 5 && f[0] == "" && f[1] == "7":
		it, err := strconv.Atoi(f[2])
		if err != nil || it < 1 || it > 1_000_000 {
			return h, fmt.Errorf("iterations %q: want a number from 1 to 1000000", clip(f[2]))
		}
		h.kind, h.iterations, f = '7', it, f[3:]
	case len(f) == 4 && f[0] == "" && f[1] == "6":
		h.kind, f = '6', f[2:]
	default:
		return h, fmt.Errorf("hash %q: want $7$<iterations>$<salt>$<hash> (mosquitto_passwd) or $6$<salt>$<hash>", clip(s))
	}
	var err error
	if h.salt, err = base64.StdEncoding.DecodeString(f[0]); err != nil || len(h.salt) != saltLen {
		return h, fmt.Errorf("salt %q: want %d bytes in base64", clip(f[0]), saltLen)
	}
	if h.hash, err = base64.StdEncoding.DecodeString(f[1]); err != nil || len(h.hash) != hashLen {
		return h, fmt.Errorf("hash %q: want %d bytes in base64", clip(f[1]), hashLen)
	}
	return h, nil
}

func (h pwHash) digest(password string) []byte {
	if h.kind == '6' {
		d := sha512.New()
		d.Write([]byte(password))
		d.Write(h.salt)
		return d.Sum(nil)
	}
	k, err := pbkdf2.Key(sha512.New, password, h.salt, h.iterations, hashLen)
	if err != nil {
		return nil
	}
	return k
}

// Verify reports whether password is user's.
func (p *Passwords) Verify(user, password string) bool {
	h, ok := p.users[user]
	if !ok {
		return false
	}
	d := h.digest(password)
	return d != nil && subtle.ConstantTimeCompare(d, h.hash) == 1
}

// Users lists the users in file order.
func (p *Passwords) Users() []string { return slices.Clone(p.order) }

// Set adds user with password, or replaces the user's password.
func (p *Passwords) Set(user, password string) error {
	if err := checkName(user); err != nil {
		return fmt.Errorf("user %q: %w", user, err)
	}
	text, err := Hash(password)
	if err != nil {
		return err
	}
	h, err := parseHash(text)
	if err != nil {
		return err
	}
	if p.users == nil {
		p.users = map[string]pwHash{}
	}
	if _, ok := p.users[user]; !ok {
		p.order = append(p.order, user)
	}
	p.users[user] = h
	return nil
}

// Bytes is the file's content, users in order.
func (p *Passwords) Bytes() []byte {
	var b bytes.Buffer
	for _, u := range p.order {
		fmt.Fprintf(&b, "%s:%s\n", u, p.users[u].text)
	}
	return b.Bytes()
}

// Save writes the file at path (mode 0600).
func (p *Passwords) Save(path string) error {
	return writeFile(path, p.Bytes())
}

// Hash returns a mosquitto_passwd hash of password: "$7$101$<salt>$<hash>"
// with a random 12-byte salt.
func Hash(password string) (string, error) {
	if password == "" {
		return "", fmt.Errorf("password: empty; want at least one character")
	}
	salt := make([]byte, saltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	k, err := pbkdf2.Key(sha512.New, password, salt, Iterations, hashLen)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("$7$%d$%s$%s", Iterations, base64.StdEncoding.EncodeToString(salt), base64.StdEncoding.EncodeToString(k)), nil
}

// NewPassword returns a random password: 26 base32 characters (130 bits).
func NewPassword() string { return rand.Text() }

// checkName accepts user names Mosquitto's files can hold and its pattern
// ACLs treat safely: no ':', whitespace, '+', '#' or '/'.
func checkName(s string) error {
	if s == "" {
		return fmt.Errorf("empty; want a name")
	}
	if i := strings.IndexFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || strings.ContainsRune(":+#/", r) }); i >= 0 {
		return fmt.Errorf("character %q at %d: want no ':', '+', '#', '/', spaces or control characters", s[i], i)
	}
	return nil
}

func clip(s string) string {
	if len(s) > 60 {
		return s[:60] + "..."
	}
	return s
}

// writeFile replaces path atomically with b, mode 0600.
func writeFile(path string, b []byte) error {
	tmp := path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
