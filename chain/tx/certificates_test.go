package tx_test

import (
	"crypto/ed25519"
	"crypto/sha256"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/tx"
)

func certKey(name string) tx.PubKey {
	seed := sha256.Sum256([]byte("certificates-test/" + name))
	return tx.PubKey(ed25519.NewKeyFromSeed(seed[:]).Public().(ed25519.PublicKey))
}

// TestCertificateVerdict: the verdict rules of the certificates module
// (its README), one row per rule and per boundary.
func TestCertificateVerdict(t *testing.T) {
	agencyAddr := tx.Address{0xa1}
	other := tx.Address{0xb2}
	key := certKey("k1")
	issued := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	expires := issued.Add(90 * 24 * time.Hour)
	anchor := tx.CertificateAnchor{ID: 7, Kind: "family_relation", Agency: agencyAddr, Key: key, Root: tx.Hash32{1}, Count: 10,
		Height: 100, Time: issued, Expires: expires}
	goodKey := tx.AgencyKey{Key: key, Agency: agencyAddr, FromHeight: 50}
	active := tx.Agency{Address: agencyAddr, Status: tx.AgencyActive, StatusHeight: 10}
	rev := &tx.Revocation{Leaf: tx.Hash32{9}, Anchor: 7, Index: 3, Height: 120, Time: issued.Add(time.Hour), Reason: "issued in error"}
	before := expires.Add(-time.Second)

	with := func(f func(a *tx.CertificateAnchor, k *tx.AgencyKey, ag *tx.Agency)) (tx.CertificateAnchor, tx.AgencyKey, tx.Agency) {
		a, k, ag := anchor, goodKey, active
		f(&a, &k, &ag)
		return a, k, ag
	}
	type row struct {
		name    string
		a       tx.CertificateAnchor
		k       tx.AgencyKey
		ag      tx.Agency
		rev     *tx.Revocation
		now     time.Time
		verdict string
		reason  string
	}
	row1 := func(name string, f func(a *tx.CertificateAnchor, k *tx.AgencyKey, ag *tx.Agency), r *tx.Revocation, now time.Time, verdict, reason string) row {
		a, k, ag := with(f)
		return row{name, a, k, ag, r, now, verdict, reason}
	}
	none := func(*tx.CertificateAnchor, *tx.AgencyKey, *tx.Agency) {}
	cases := []row{
		row1("valid", none, nil, before, tx.VerdictValid, "valid until 2025-05-30T09:00:00Z"),
		row1("valid without expiry", func(a *tx.CertificateAnchor, _ *tx.AgencyKey, _ *tx.Agency) { a.Expires = time.Time{} }, nil,
			issued.Add(100*365*24*time.Hour), tx.VerdictValid, "no expiry"),
		row1("expired at the expiry instant", none, nil, expires, tx.VerdictExpired, "expired at 2025-05-30T09:00:00Z"),
		row1("expired is not revoked", none, nil, expires.Add(time.Hour), tx.VerdictExpired, "expired"),
		row1("own revocation entry", none, rev, before, tx.VerdictRevoked, "issued in error"),
		row1("own entry wins over expiry", none, rev, expires.Add(time.Hour), tx.VerdictRevoked, "revoked at height 120"),
		row1("retired key: still valid", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) { k.RetiredHeight = 150 }, nil,
			before, tx.VerdictValid, "valid"),
		row1("retired in the anchor's block: valid", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) { k.RetiredHeight = 100 }, nil,
			before, tx.VerdictValid, "valid"),
		row1("key compromised after the anchor: valid", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) {
			k.CompromisedHeight, k.RevokedHeight = 101, 200
		}, nil, before, tx.VerdictValid, "valid"),
		row1("key compromised at the anchor height: revoked with no entry (#308)", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) {
			k.CompromisedHeight, k.RevokedHeight = 100, 200
		}, nil, before, tx.VerdictRevoked, "compromised from height 100; anchor 7 is at height 100"),
		row1("key compromised before the anchor: revoked, even once expired", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) {
			k.CompromisedHeight, k.RevokedHeight = 60, 200
		}, nil, expires.Add(time.Hour), tx.VerdictRevoked, "compromised"),
		row1("agency revoked: revoked with no entry (#308)", func(_ *tx.CertificateAnchor, _ *tx.AgencyKey, ag *tx.Agency) {
			ag.Status, ag.Reason, ag.StatusHeight = tx.AgencyRevoked, "licence withdrawn", 300
		}, nil, before, tx.VerdictRevoked, "licence withdrawn"),
		row1("agency suspended", func(_ *tx.CertificateAnchor, _ *tx.AgencyKey, ag *tx.Agency) {
			ag.Status, ag.Reason = tx.AgencySuspended, "audit"
		}, nil, before, tx.VerdictIssuerSuspended, "audit"),
		row1("agency suspended, certificate expired: expired", func(_ *tx.CertificateAnchor, _ *tx.AgencyKey, ag *tx.Agency) {
			ag.Status = tx.AgencySuspended
		}, nil, expires, tx.VerdictExpired, "expired"),
		row1("agency suspended, own entry: revoked", func(_ *tx.CertificateAnchor, _ *tx.AgencyKey, ag *tx.Agency) {
			ag.Status = tx.AgencySuspended
		}, rev, before, tx.VerdictRevoked, "issued in error"),
		row1("another key", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) { k.Key = certKey("k2") }, nil,
			before, tx.VerdictInvalid, "is not anchor 7's key"),
		row1("key of another agency", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) { k.Agency = other }, nil,
			before, tx.VerdictInvalid, "belongs to agency"),
		row1("another agency's record", func(_ *tx.CertificateAnchor, _ *tx.AgencyKey, ag *tx.Agency) { ag.Address = other }, nil,
			before, tx.VerdictInvalid, "is not anchor 7's agency"),
		row1("anchor before the key", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) { k.FromHeight = 101 }, nil,
			before, tx.VerdictInvalid, "before key"),
		row1("anchor after the key's retirement", func(_ *tx.CertificateAnchor, k *tx.AgencyKey, _ *tx.Agency) { k.RetiredHeight = 99 }, nil,
			before, tx.VerdictInvalid, "after key"),
		row1("unknown agency status", func(_ *tx.CertificateAnchor, _ *tx.AgencyKey, ag *tx.Agency) { ag.Status = "" }, nil,
			before, tx.VerdictInvalid, "status"),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			v, why := tx.CertificateVerdict(c.a, c.k, c.ag, c.rev, c.now)
			if v != c.verdict || !strings.Contains(why, c.reason) {
				t.Errorf("got %s (%s), want %s (%s)", v, why, c.verdict, c.reason)
			}
		})
	}
}

// TestCertificateMsgsValidateBasic: each message refuses what it can
// without state, naming the field.
func TestCertificateMsgsValidateBasic(t *testing.T) {
	key := certKey("k1")
	kind := func(f func(m *tx.MsgCertificateRegisterKind)) tx.Msg {
		m := &tx.MsgCertificateRegisterKind{ID: "family_relation", Name: "가족관계증명서", Agency: tx.Address{1}, ValidityDays: 90,
			Fields: []string{"holder_name", "spouse_exists"}}
		f(m)
		return m
	}
	issue := func(f func(m *tx.MsgCertificateIssue)) tx.Msg {
		m := &tx.MsgCertificateIssue{Kind: "family_relation", Key: key, Root: tx.Hash32{1}, Count: 10}
		f(m)
		return m
	}
	revoke := func(f func(m *tx.MsgCertificateRevoke)) tx.Msg {
		m := &tx.MsgCertificateRevoke{Anchor: 1, Index: 0, Leaf: tx.Hash32{2}, Reason: "error"}
		f(m)
		return m
	}
	cases := []struct {
		name string
		msg  tx.Msg
		want string // "" when valid
	}{
		{"kind ok", kind(func(*tx.MsgCertificateRegisterKind) {}), ""},
		{"kind no expiry", kind(func(m *tx.MsgCertificateRegisterKind) { m.ValidityDays = 0 }), ""},
		{"kind id upper", kind(func(m *tx.MsgCertificateRegisterKind) { m.ID = "Family" }), `kind "Family"`},
		{"kind id empty", kind(func(m *tx.MsgCertificateRegisterKind) { m.ID = "" }), "kind"},
		{"kind id long", kind(func(m *tx.MsgCertificateRegisterKind) { m.ID = strings.Repeat("a", 65) }), "1 to 64"},
		{"kind no name", kind(func(m *tx.MsgCertificateRegisterKind) { m.Name = "" }), "name"},
		{"kind no agency", kind(func(m *tx.MsgCertificateRegisterKind) { m.Agency = tx.Address{} }), "agency"},
		{"kind validity", kind(func(m *tx.MsgCertificateRegisterKind) { m.ValidityDays = 36_501 }), "validity_days: 36501"},
		{"kind no fields", kind(func(m *tx.MsgCertificateRegisterKind) { m.Fields = nil }), "fields: 0 names"},
		{"kind duplicate field", kind(func(m *tx.MsgCertificateRegisterKind) { m.Fields = []string{"a", "b", "a"} }), `fields[2] "a": listed twice`},
		{"kind bad field", kind(func(m *tx.MsgCertificateRegisterKind) { m.Fields = []string{"holder-name"} }), `fields[0] "holder-name"`},
		{"kind too many fields", kind(func(m *tx.MsgCertificateRegisterKind) {
			m.Fields = nil
			for i := range 65 {
				m.Fields = append(m.Fields, "f"+strings.Repeat("x", i))
			}
		}), "fields: 65 names"},
		{"add key ok", &tx.MsgCertificateAddKey{Key: key}, ""},
		{"add key short", &tx.MsgCertificateAddKey{Key: key[:31]}, "key: want a 32-byte"},
		{"add key small order", &tx.MsgCertificateAddKey{Key: make(tx.PubKey, 32)}, "key"},
		{"retire key short", &tx.MsgCertificateRetireKey{Key: nil}, "key"},
		{"revoke key ok", &tx.MsgCertificateRevokeKey{Key: key, CompromisedHeight: 1}, ""},
		{"revoke key height 0", &tx.MsgCertificateRevokeKey{Key: key}, "compromised_height: 0"},
		{"status ok", &tx.MsgCertificateSetAgencyStatus{Agency: tx.Address{1}, Status: tx.AgencySuspended, Reason: "audit"}, ""},
		{"status unknown", &tx.MsgCertificateSetAgencyStatus{Agency: tx.Address{1}, Status: "closed", Reason: "x"}, `status "closed"`},
		{"status no reason", &tx.MsgCertificateSetAgencyStatus{Agency: tx.Address{1}, Status: tx.AgencyActive}, "reason"},
		{"status no agency", &tx.MsgCertificateSetAgencyStatus{Status: tx.AgencyActive, Reason: "x"}, "agency"},
		{"issue ok", issue(func(*tx.MsgCertificateIssue) {}), ""},
		{"issue max", issue(func(m *tx.MsgCertificateIssue) { m.Count = 100_000 }), ""},
		{"issue zero count", issue(func(m *tx.MsgCertificateIssue) { m.Count = 0 }), "count: 0"},
		{"issue too many", issue(func(m *tx.MsgCertificateIssue) { m.Count = 100_001 }), "count: 100001"},
		{"issue zero root", issue(func(m *tx.MsgCertificateIssue) { m.Root = tx.Hash32{} }), "root"},
		{"issue bad kind", issue(func(m *tx.MsgCertificateIssue) { m.Kind = "a b" }), "kind"},
		{"revoke ok", revoke(func(*tx.MsgCertificateRevoke) {}), ""},
		{"revoke anchor 0", revoke(func(m *tx.MsgCertificateRevoke) { m.Anchor = 0 }), "anchor: 0"},
		{"revoke index", revoke(func(m *tx.MsgCertificateRevoke) { m.Index = 100_000 }), "index: 100000"},
		{"revoke long path", revoke(func(m *tx.MsgCertificateRevoke) { m.Path = make([]tx.Hash32, 18) }), "path: 18 hashes"},
		{"revoke no reason", revoke(func(m *tx.MsgCertificateRevoke) { m.Reason = "" }), "reason"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.msg.ValidateBasic()
			switch {
			case c.want == "" && err != nil:
				t.Errorf("got %v, want valid", err)
			case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
				t.Errorf("got %v, want an error mentioning %q", err, c.want)
			}
		})
	}
}

// TestDevnetKinds: the devnet's kinds are valid registrations, in id order
// (as a genesis section lists them), and include the five the city
// registers first.
func TestDevnetKinds(t *testing.T) {
	agency := tx.Address{7}
	kinds := tx.DevnetKinds(agency)
	var ids []string
	for _, k := range kinds {
		m := tx.MsgCertificateRegisterKind{ID: k.ID, Name: k.Name, Agency: k.Agency, ValidityDays: k.ValidityDays, Fields: k.Fields}
		if err := m.ValidateBasic(); err != nil {
			t.Errorf("kind %s: %v", k.ID, err)
		}
		if k.Agency != agency {
			t.Errorf("kind %s: agency %s, want %s", k.ID, k.Agency, agency)
		}
		ids = append(ids, k.ID)
	}
	if !slices.IsSorted(ids) {
		t.Errorf("kinds %v: want id order", ids)
	}
	for _, want := range []string{"family_relation", "resident_abstract", "resident_copy", "health_insurance_eligibility", "income_statement"} {
		if !slices.Contains(ids, want) {
			t.Errorf("kinds %v: no %s", ids, want)
		}
	}
	if i := slices.Index(ids, "family_relation"); i < 0 || kinds[i].ValidityDays != 90 ||
		!slices.Equal(kinds[i].Fields[:5], []string{"holder_name", "holder_rrn", "spouse_exists", "spouse_name", "children_count"}) {
		t.Errorf("family_relation: %+v", kinds[i])
	}
}
