package sdjwt_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/citychain/citychain/chain/sdjwt"
)

var b64 = base64.RawURLEncoding

func key(t testing.TB, seed byte) ed25519.PrivateKey {
	t.Helper()
	s := make([]byte, ed25519.SeedSize)
	for i := range s {
		s[i] = seed
	}
	return ed25519.NewKeyFromSeed(s)
}

// now is the verifier clock of the tests; issuance is the same day.
var now = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

type fixture struct {
	issuer, holder ed25519.PrivateKey
	issued         *sdjwt.Issued
}

func issue(t testing.TB) fixture {
	t.Helper()
	f := fixture{issuer: key(t, 1), holder: key(t, 2)}
	p := sdjwt.Payload{
		Iss:    "00112233445566778899aabbccddeeff00112233",
		Vct:    "seoul_benefits",
		Iat:    sdjwt.DayFloor(now),
		Exp:    sdjwt.DayFloor(now.AddDate(1, 0, 0)),
		Cnf:    sdjwt.Cnf{JWK: sdjwt.JWKOf(f.holder.Public().(ed25519.PublicKey))},
		Status: &sdjwt.Status{List: "00112233445566778899aabbccddeeff00112233/benefits", Idx: 91234},
	}
	var err error
	f.issued, err = sdjwt.Issue(f.issuer, p, []sdjwt.Claim{
		{Name: "birthdate", Value: "1958-02-01"},
		{Name: "age_over_65", Value: true},
		{Name: "resident_seoul", Value: true},
		{Name: "income_decile_le_5", Value: false},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) opts(aud, nonce string) sdjwt.Options {
	return sdjwt.Options{IssuerKey: f.issuer.Public().(ed25519.PublicKey), Aud: aud, Nonce: nonce, Now: now}
}

func (f fixture) present(t testing.TB, names []string, aud, nonce string, iat time.Time) string {
	t.Helper()
	s, err := sdjwt.Parse(f.issued.String())
	if err != nil {
		t.Fatal(err)
	}
	p, err := s.Present(names, f.holder, aud, nonce, iat)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func wantErr(t *testing.T, err error, want string) {
	t.Helper()
	if err == nil {
		t.Fatalf("accepted, want error containing %q", want)
	}
	if !strings.Contains(err.Error(), want) {
		t.Fatalf("error %q, want it to contain %q", err, want)
	}
}

func decodeSegment(t *testing.T, seg string, v any) {
	t.Helper()
	b, err := b64.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, v); err != nil {
		t.Fatal(err)
	}
}

// The issued form has the RFC 9901 shape: header, payload, disclosures.
func TestIssueShape(t *testing.T) {
	f := issue(t)
	s := f.issued.String()
	if !strings.HasSuffix(s, "~") || strings.Count(s, "~") != 5 {
		t.Fatalf("issued form %q: want <jwt>~d1~d2~d3~d4~", s)
	}
	seg := strings.Split(f.issued.JWT, ".")
	var hdr map[string]string
	decodeSegment(t, seg[0], &hdr)
	wantKid := hex.EncodeToString(f.issuer.Public().(ed25519.PublicKey))
	if hdr["alg"] != "EdDSA" || hdr["typ"] != "dc+sd-jwt" || hdr["kid"] != wantKid || len(hdr) != 3 {
		t.Fatalf("header %v: want alg EdDSA, typ dc+sd-jwt, kid %s", hdr, wantKid)
	}
	var payload map[string]any
	decodeSegment(t, seg[1], &payload)
	for _, k := range []string{"iss", "vct", "iat", "exp", "cnf", "status", "_sd", "_sd_alg"} {
		if _, ok := payload[k]; !ok {
			t.Errorf("payload lacks %q: %v", k, payload)
		}
	}
	for _, k := range []string{"birthdate", "age_over_65"} {
		if _, ok := payload[k]; ok {
			t.Errorf("payload shows %q in clear", k)
		}
	}
	if int64(payload["iat"].(float64))%86400 != 0 || int64(payload["exp"].(float64))%86400 != 0 {
		t.Errorf("iat/exp not day-rounded: %v %v", payload["iat"], payload["exp"])
	}
	var sd []string
	for _, d := range payload["_sd"].([]any) {
		sd = append(sd, d.(string))
	}
	if !slices.IsSorted(sd) || len(sd) != 4 {
		t.Errorf("_sd %v: want 4 sorted digests", sd)
	}
	for _, d := range f.issued.Disclosures {
		var arr []any
		decodeSegment(t, d.Raw, &arr)
		if len(arr) != 3 || arr[1] != d.Name {
			t.Fatalf("disclosure %v: want [salt, %q, value]", arr, d.Name)
		}
		salt, err := b64.DecodeString(arr[0].(string))
		if err != nil || len(salt) != 16 {
			t.Errorf("salt %v: want 16 bytes base64url", arr[0])
		}
		sum := sha256.Sum256([]byte(d.Raw))
		if dg := b64.EncodeToString(sum[:]); dg != d.Digest || !slices.Contains(sd, dg) {
			t.Errorf("disclosure %q: digest %s not b64url(SHA-256) or not in _sd", d.Name, d.Digest)
		}
	}
	if f.issued.Leaf() != sha256.Sum256([]byte(f.issued.JWT)) {
		t.Error("Leaf is not SHA-256 of the issuer JWT")
	}
	v, err := sdjwt.VerifyIssued(s, f.issuer.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Disclosed) != 4 || string(v.Disclosed["birthdate"]) != `"1958-02-01"` {
		t.Errorf("issued copy disclosed %v", v.Disclosed)
	}
}

// A presentation of age_over_65 verifies and shows that claim only; the
// visible claims come back typed and raw.
func TestPresentVerifyRoundTrip(t *testing.T) {
	f := issue(t)
	p := f.present(t, []string{"age_over_65"}, "lib/1", "n-123", now.Add(-2*time.Second))
	if strings.Count(p, "~") != 2 {
		t.Fatalf("presentation %q: want jwt~d~kb", p)
	}
	v, err := sdjwt.Verify(p, f.opts("lib/1", "n-123"))
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Disclosed) != 1 {
		t.Fatalf("disclosed %v, want only age_over_65", v.Disclosed)
	}
	if b, ok := v.Bool("age_over_65"); !ok || !b {
		t.Errorf("age_over_65 = %v %v, want true", b, ok)
	}
	if _, ok := v.Disclosed["birthdate"]; ok || strings.Contains(p, "1958") {
		t.Error("birth date leaked")
	}
	if v.Payload.Vct != "seoul_benefits" || v.Payload.Status.Idx != 91234 || v.Payload.Iss != "00112233445566778899aabbccddeeff00112233" {
		t.Errorf("payload %+v", v.Payload)
	}
	if _, ok := v.Visible["cnf"]; !ok || v.Visible["_sd"] != nil {
		t.Errorf("visible %v: want cnf, no _sd", v.Visible)
	}
	if !v.Holder.Equal(f.holder.Public()) || v.KB.Aud != "lib/1" || v.KB.Nonce != "n-123" {
		t.Errorf("holder/kb %x %+v", v.Holder, v.KB)
	}
	if v.Leaf() != f.issued.Leaf() {
		t.Error("leaf differs from issuance")
	}
	// No disclosure at all, and every disclosure, verify too.
	for _, names := range [][]string{nil, {"birthdate", "age_over_65", "resident_seoul", "income_decile_le_5"}} {
		p := f.present(t, names, "lib/1", "n", now)
		v, err := sdjwt.Verify(p, f.opts("lib/1", "n"))
		if err != nil {
			t.Fatal(err)
		}
		if len(v.Disclosed) != len(names) {
			t.Errorf("disclosed %d, want %d", len(v.Disclosed), len(names))
		}
	}
	// Asking for a claim the copy lacks is an error naming it.
	s, _ := sdjwt.Parse(f.issued.String())
	_, err = s.Present([]string{"spouse_exists"}, f.holder, "a", "n", now)
	wantErr(t, err, `no disclosure for claim "spouse_exists"`)
}

// resign replaces the KB-JWT so that sd_hash matches the (altered) prefix:
// what a holder who tampers with disclosures would do.
func resign(t *testing.T, holder ed25519.PrivateKey, prefix string, kb sdjwt.KBPayload) string {
	t.Helper()
	kb.SDHash = sdjwt.DigestOf(prefix)
	body, _ := json.Marshal(kb)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: holder}, (&jose.SignerOptions{}).WithType("kb+jwt"))
	if err != nil {
		t.Fatal(err)
	}
	j, err := s.Sign(body)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := j.CompactSerialize()
	return prefix + c
}

func TestVerifyRefusals(t *testing.T) {
	f := issue(t)
	good := f.present(t, []string{"age_over_65"}, "pool/1", "nonce-1", now)
	if _, err := sdjwt.Verify(good, f.opts("pool/1", "nonce-1")); err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(good, "~")
	jwt, disc, kbJWT := parts[0], parts[1], parts[2]
	kb := sdjwt.KBPayload{Aud: "pool/1", Nonce: "nonce-1", Iat: now.Unix()}
	other := key(t, 9)
	// A disclosure with the value changed (age_over_65 false -> true is
	// the attack; here true -> false keeps the shape).
	var arr []any
	decodeSegment(t, disc, &arr)
	arr[2] = false
	tb, _ := json.Marshal(arr)
	tampered := b64.EncodeToString(tb)
	otherDisc, _ := sdjwt.NewDisclosure(nil, "age_over_65", true)

	payloadSeg := strings.Split(jwt, ".")
	var pl map[string]any
	decodeSegment(t, payloadSeg[1], &pl)
	pl["vct"] = "other"
	pb, _ := json.Marshal(pl)
	forgedJWT := payloadSeg[0] + "." + b64.EncodeToString(pb) + "." + payloadSeg[2]

	for _, c := range []struct {
		name, pres, aud, nonce string
		at                     time.Time
		want                   string
	}{
		{"tampered disclosure, old KB", jwt + "~" + tampered + "~" + kbJWT, "pool/1", "nonce-1", now, "not in _sd"},
		{"tampered disclosure, re-signed KB", resign(t, f.holder, jwt+"~"+tampered+"~", kb), "pool/1", "nonce-1", now, "not in _sd"},
		{"disclosure not in _sd", resign(t, f.holder, jwt+"~"+otherDisc.Raw+"~", kb), "pool/1", "nonce-1", now, "not in _sd"},
		{"duplicate disclosure", resign(t, f.holder, jwt+"~"+disc+"~"+disc+"~", kb), "pool/1", "nonce-1", now, "given twice"},
		{"disclosure added after KB", jwt + "~" + disc + "~" + f.issued.Disclosures[0].Raw + "~" + kbJWT, "pool/1", "nonce-1", now, "kb-jwt: sd_hash"},
		{"disclosure removed after KB", jwt + "~" + kbJWT, "pool/1", "nonce-1", now, "kb-jwt: sd_hash"},
		{"KB removed", jwt + "~" + disc + "~", "pool/1", "nonce-1", now, "kb-jwt: missing"},
		{"KB signed by another key", resign(t, other, jwt+"~"+disc+"~", kb), "pool/1", "nonce-1", now, "kb-jwt: signature does not verify with the cnf key"},
		{"wrong aud", good, "lib/1", "nonce-1", now, `kb-jwt: aud "pool/1", want "lib/1"`},
		{"wrong nonce", good, "pool/1", "nonce-2", now, `kb-jwt: nonce "nonce-1", want "nonce-2"`},
		{"old iat", good, "pool/1", "nonce-1", now.Add(61 * time.Second), "s before now"},
		{"future iat", good, "pool/1", "nonce-1", now.Add(-6 * time.Second), "s after now"},
		{"payload changed", forgedJWT + "~" + disc + "~" + kbJWT, "pool/1", "nonce-1", now, "issuer signature does not verify"},
		{"not an SD-JWT", "abc", "pool/1", "nonce-1", now, "no '~'"},
		{"empty disclosure", jwt + "~~" + kbJWT, "pool/1", "nonce-1", now, "disclosure 0 is empty"},
		{"garbage disclosure", jwt + "~!!~" + kbJWT, "pool/1", "nonce-1", now, "not base64url"},
	} {
		t.Run(c.name, func(t *testing.T) {
			o := f.opts(c.aud, c.nonce)
			o.Now = c.at
			_, err := sdjwt.Verify(c.pres, o)
			wantErr(t, err, c.want)
		})
	}
	// The age bound is inclusive: exactly 60 s old and 5 s ahead pass.
	for _, d := range []time.Duration{60 * time.Second, -5 * time.Second} {
		o := f.opts("pool/1", "nonce-1")
		o.Now = now.Add(d)
		if _, err := sdjwt.Verify(good, o); err != nil {
			t.Errorf("now %+v: %v", d, err)
		}
	}
	// A wrong issuer key is refused (kid and signature).
	o := f.opts("pool/1", "nonce-1")
	o.IssuerKey = other.Public().(ed25519.PublicKey)
	_, err := sdjwt.Verify(good, o)
	wantErr(t, err, "sd-jwt: kid")
	// A JWT whose kid names the verifier's key but is signed by another.
	p := sdjwt.Payload{Iss: "x", Vct: "v", Iat: sdjwt.DayFloor(now), Cnf: sdjwt.Cnf{JWK: sdjwt.JWKOf(f.holder.Public().(ed25519.PublicKey))}, SD: []string{}, SDAlg: "sha-256"}
	forged := signRaw(t, other, "dc+sd-jwt", hex.EncodeToString(f.issuer.Public().(ed25519.PublicKey)), p)
	_, err = sdjwt.Verify(resign(t, f.holder, forged+"~", kb), f.opts("pool/1", "nonce-1"))
	wantErr(t, err, "issuer signature does not verify")
	// Wrong typ on the issuer JWT, and on the KB-JWT.
	wrongTyp := signRaw(t, f.issuer, "JWT", hex.EncodeToString(f.issuer.Public().(ed25519.PublicKey)), p)
	_, err = sdjwt.Verify(resign(t, f.holder, wrongTyp+"~", kb), f.opts("pool/1", "nonce-1"))
	wantErr(t, err, `sd-jwt: typ "JWT"`)
	kb.SDHash = sdjwt.DigestOf(jwt + "~" + disc + "~")
	kbWrongTyp := jwt + "~" + disc + "~" + signRaw(t, f.holder, "JWT", "", kb)
	_, err = sdjwt.Verify(kbWrongTyp, f.opts("pool/1", "nonce-1"))
	wantErr(t, err, `kb-jwt: typ "JWT"`)
	// Another _sd_alg.
	p.SDAlg = "sha-512"
	alg := signRaw(t, f.issuer, "dc+sd-jwt", hex.EncodeToString(f.issuer.Public().(ed25519.PublicKey)), p)
	_, err = sdjwt.Verify(resign(t, f.holder, alg+"~", kb), f.opts("pool/1", "nonce-1"))
	wantErr(t, err, `_sd_alg "sha-512"`)
}

func signRaw(t *testing.T, k ed25519.PrivateKey, typ, kid string, payload any) string {
	t.Helper()
	o := (&jose.SignerOptions{}).WithType(jose.ContentType(typ))
	if kid != "" {
		o = o.WithHeader("kid", kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.EdDSA, Key: k}, o)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(payload)
	j, err := s.Sign(b)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := j.CompactSerialize()
	return c
}

// Issue refuses timestamps that are not day-rounded (they would link
// copies), reserved or repeated claim names and a bad holder key.
func TestIssueRefusals(t *testing.T) {
	iss := key(t, 1)
	cnf := sdjwt.Cnf{JWK: sdjwt.JWKOf(key(t, 2).Public().(ed25519.PublicKey))}
	day := sdjwt.DayFloor(now)
	for _, c := range []struct {
		name   string
		p      sdjwt.Payload
		claims []sdjwt.Claim
		want   string
	}{
		{"iat not rounded", sdjwt.Payload{Iat: now.Unix(), Cnf: cnf}, nil, "rounded down to the day"},
		{"exp not rounded", sdjwt.Payload{Iat: day, Exp: day + 5, Cnf: cnf}, nil, "exp"},
		{"exp before iat", sdjwt.Payload{Iat: day, Exp: day - sdjwt.Day, Cnf: cnf}, nil, "after iat"},
		{"no cnf", sdjwt.Payload{Iat: day}, nil, "cnf.jwk"},
		{"reserved name", sdjwt.Payload{Iat: day, Cnf: cnf}, []sdjwt.Claim{{Name: "iss", Value: "x"}}, "reserved"},
		{"repeated name", sdjwt.Payload{Iat: day, Cnf: cnf}, []sdjwt.Claim{{Name: "a", Value: 1}, {Name: "a", Value: 2}}, "given twice"},
	} {
		_, err := sdjwt.Issue(iss, c.p, c.claims, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: got %v, want %q", c.name, err, c.want)
		}
	}
	if got := sdjwt.DayFloor(now); got != time.Date(2026, 3, 14, 0, 0, 0, 0, time.UTC).Unix() {
		t.Errorf("DayFloor = %d", got)
	}
}

// TestScopeVisible: a scope is a visible claim of the issuer-signed
// payload (a printed token's "token"), absent from the payload when
// empty; no disclosure may carry the name, so a holder cannot add or hide
// one; an overlong scope is refused.
func TestScopeVisible(t *testing.T) {
	iss, holder := key(t, 1), key(t, 2)
	p := sdjwt.Payload{Iss: "00112233445566778899aabbccddeeff00112233", Vct: "citizen_card", Iat: sdjwt.DayFloor(now),
		Cnf: sdjwt.Cnf{JWK: sdjwt.JWKOf(holder.Public().(ed25519.PublicKey))}}
	plain, err := sdjwt.Issue(iss, p, []sdjwt.Claim{{Name: "name", Value: "Kim Minji"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	decodeSegment(t, strings.Split(plain.JWT, ".")[1], &payload)
	if _, ok := payload["scope"]; ok {
		t.Fatalf("payload without scope shows one: %v", payload)
	}
	p.Scope = "token"
	tok, err := sdjwt.Issue(iss, p, []sdjwt.Claim{{Name: "name", Value: "Kim Minji"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	payload = nil
	decodeSegment(t, strings.Split(tok.JWT, ".")[1], &payload)
	if payload["scope"] != "token" {
		t.Fatalf("payload %v: want scope \"token\" visible", payload)
	}
	// Verified as issued with no disclosure (what a token prints): the
	// scope is typed and among the visible claims.
	s, err := sdjwt.Parse(tok.String())
	if err != nil {
		t.Fatal(err)
	}
	v, err := sdjwt.VerifyIssued(s.JWT+"~", iss.Public().(ed25519.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	if v.Payload.Scope != "token" || string(v.Visible["scope"]) != `"token"` || len(v.Disclosed) != 0 {
		t.Fatalf("verified scope %q visible %s disclosed %v", v.Payload.Scope, v.Visible["scope"], v.Disclosed)
	}
	if u, err := s.UnverifiedPayload(); err != nil || u.Scope != "token" {
		t.Fatalf("unverified payload scope: %v %v", u, err)
	}
	// No disclosure named scope, issued or parsed.
	if _, err := sdjwt.Issue(iss, p, []sdjwt.Claim{{Name: "scope", Value: "full"}}, nil); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Fatalf("disclosure named scope: got %v, want reserved", err)
	}
	arr, _ := json.Marshal([]any{"c2FsdHNhbHRzYWx0c2FsdA", "scope", "full"})
	if _, err := sdjwt.ParseDisclosure(b64.EncodeToString(arr)); err == nil || !strings.Contains(err.Error(), "reserved") {
		t.Fatalf("parsed disclosure named scope: got %v, want reserved", err)
	}
	p.Scope = strings.Repeat("x", sdjwt.MaxScopeLen+1)
	wantErr(t, func() error { _, err := sdjwt.Issue(iss, p, nil, nil); return err }(), "scope")
}

// BenchmarkVerifyPresentation verifies one credential presentation with one
// disclosure and a KB-JWT (two Ed25519 verifications plus JOSE parsing);
// compare with BenchmarkEd25519Verify, one raw verification.
func BenchmarkVerifyPresentation(b *testing.B) {
	f := issue(b)
	p := f.present(b, []string{"age_over_65"}, "pool/1", "nonce", now)
	o := f.opts("pool/1", "nonce")
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := sdjwt.Verify(p, o); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "presentations/s")
}

// BenchmarkEd25519Verify is the baseline: one ed25519.Verify of a 200-byte
// message.
func BenchmarkEd25519Verify(b *testing.B) {
	k := key(b, 3)
	msg := make([]byte, 200)
	_, _ = rand.Read(msg)
	sig := ed25519.Sign(k, msg)
	pub := k.Public().(ed25519.PublicKey)
	b.ResetTimer()
	for b.Loop() {
		if !ed25519.Verify(pub, msg, sig) {
			b.Fatal("verify")
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "verifications/s")
}
