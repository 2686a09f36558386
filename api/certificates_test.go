package api

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/node"
	"github.com/citychain/citychain/chain/tx"
)

// The certificates fixture on the shared chain: the authority makes the
// registrar a certificate_registrar, which registers the kind certKind for
// a new agency account (funded by the treasury); the agency adds an
// issuing key, anchors a batch of four certificates and revokes the second.
const certKind = "api_family_relation"

type certificateWorld struct {
	agency tx.Address
	key    tx.PubKey
	anchor uint64
	leaves [][]byte
}

func (w certificateWorld) leaf(i int) tx.Hash32 { return tx.Hash32(w.leaves[i]) }

var (
	certificatesOnce sync.Once
	certificatesW    certificateWorld
	certificatesErr  error
)

func certificateFixture(t *testing.T, c *testChain) certificateWorld {
	t.Helper()
	certificatesOnce.Do(func() { certificatesW, certificatesErr = buildCertificates(t, c) })
	if certificatesErr != nil {
		t.Fatalf("certificates fixture: %v", certificatesErr)
	}
	return certificatesW
}

func buildCertificates(t *testing.T, c *testChain) (certificateWorld, error) {
	nc, err := client.New(c.rpc)
	if err != nil {
		return certificateWorld{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	seed := sha256.Sum256([]byte("api-test/certificate-agency"))
	agency := ed25519.NewKeyFromSeed(seed[:])
	issuing := sha256.Sum256([]byte("api-test/certificate-issuing-key"))
	w := certificateWorld{agency: tx.AddressOf(agency.Public().(ed25519.PublicKey)),
		key: tx.PubKey(ed25519.NewKeyFromSeed(issuing[:]).Public().(ed25519.PublicKey))}
	for i := range 4 {
		d := sha256.Sum256([]byte(fmt.Sprintf("api-test certificate %d", i)))
		w.leaves = append(w.leaves, d[:])
	}
	registrar := c.key(t, "registrar")
	steps := []struct {
		priv ed25519.PrivateKey
		msgs []tx.Msg
	}{
		{c.key(t, "authority").Private, []tx.Msg{&tx.MsgRoleGrant{Address: registrar.Address, Role: tx.RoleCertificateRegistrar}}},
		{c.key(t, "treasury").Private, []tx.Msg{&tx.MsgSend{To: w.agency, Amount: tx.Coin{Amount: 1_000_000, Denom: tx.DenomSCoin}}}},
		{registrar.Private, []tx.Msg{&tx.MsgCertificateRegisterKind{ID: certKind, Name: "가족관계증명서 (API test)", Agency: w.agency, ValidityDays: 90,
			Fields: []string{"holder_name", "spouse_exists", "children_count"}}}},
		{agency, []tx.Msg{&tx.MsgCertificateAddKey{Key: w.key},
			&tx.MsgCertificateIssue{Kind: certKind, Key: w.key, Root: tx.MerkleRoot(w.leaves), Count: uint32(len(w.leaves))}}},
	}
	for _, st := range steps {
		res, err := nc.Submit(ctx, st.priv, "api certificates test", st.msgs...)
		if err != nil {
			return w, fmt.Errorf("%s: %w", st.msgs[0].Type(), err)
		}
		if id, ok := res.Attr("certificates.issued", "id"); ok {
			if _, err := fmt.Sscan(id, &w.anchor); err != nil {
				return w, err
			}
		}
	}
	rev := &tx.MsgCertificateRevoke{Anchor: w.anchor, Index: 1, Leaf: w.leaf(1), Path: tx.MerklePath(w.leaves, 1), Reason: "issued in error"}
	if _, err := nc.Submit(ctx, agency, "", rev); err != nil {
		return w, fmt.Errorf("revoke: %w", err)
	}
	return w, nil
}

func TestCertificates(t *testing.T) {
	c := getChain(t)
	w := certificateFixture(t, c)
	ts := startServer(t, c, nil)

	t.Run("stats", func(t *testing.T) {
		var s tx.CertificateStats
		ts.getJSON(t, "/v1/certificates/stats", &s)
		if s.Kinds < 1 || s.Agencies < 1 || s.Keys < 1 || s.Anchors < 1 || s.Certificates < 4 || s.Revocations < 1 || s.NextAnchor <= w.anchor {
			t.Fatalf("got stats %+v, want the fixture's records counted", s)
		}
	})
	t.Run("kinds", func(t *testing.T) {
		var p AfterPage[tx.CertificateKind]
		ts.getJSON(t, "/v1/certificates/kinds", &p)
		if !slices.ContainsFunc(p.Items, func(k tx.CertificateKind) bool { return k.ID == certKind && k.Agency == w.agency }) {
			t.Fatalf("got kinds %+v, want %s", p.Items, certKind)
		}
		var r struct {
			Height int64              `json:"height"`
			Result tx.CertificateKind `json:"result"`
			Proof  *Proof             `json:"proof"`
		}
		ts.getJSON(t, "/v1/certificates/kinds/"+certKind+"?prove=true", &r)
		if r.Result.ValidityDays != 90 || strings.Join(r.Result.Fields, ",") != "holder_name,spouse_exists,children_count" {
			t.Fatalf("got kind %+v", r.Result)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 {
			t.Fatalf("got proof %+v, want verified against header %d", r.Proof, r.Height+1)
		}
	})
	t.Run("agency and key", func(t *testing.T) {
		var a struct {
			Result tx.Agency `json:"result"`
			Proof  *Proof    `json:"proof"`
		}
		ts.getJSON(t, "/v1/certificates/agencies/"+w.agency.String()+"?prove=true", &a)
		if a.Result.Status != tx.AgencyActive || !slices.Equal(a.Result.Kinds, []string{certKind}) || len(a.Result.Keys) != 1 || a.Proof == nil || !a.Proof.Verified {
			t.Fatalf("got agency %+v, proof %+v", a.Result, a.Proof)
		}
		var k struct {
			Result tx.AgencyKey `json:"result"`
		}
		ts.getJSON(t, "/v1/certificates/keys/"+w.key.String(), &k)
		if k.Result.Agency != w.agency || k.Result.FromHeight == 0 || k.Result.Retired() {
			t.Fatalf("got key %+v", k.Result)
		}
	})
	t.Run("anchors", func(t *testing.T) {
		var p AfterPage[tx.CertificateAnchor]
		ts.getJSON(t, "/v1/certificates/anchors?kind="+certKind, &p)
		if len(p.Items) != 1 || p.Items[0].ID != w.anchor || p.NextCursor != "" {
			t.Fatalf("got the kind's anchors %+v", p)
		}
		var r struct {
			Result tx.CertificateAnchor `json:"result"`
			Proof  *Proof               `json:"proof"`
		}
		ts.getJSON(t, fmt.Sprintf("/v1/certificates/anchors/%d?prove=true", w.anchor), &r)
		a := r.Result
		if a.Root != tx.MerkleRoot(w.leaves) || a.Count != 4 || !a.Expires.Equal(a.Time.Add(90*24*time.Hour)) || r.Proof == nil || !r.Proof.Verified {
			t.Fatalf("got anchor %+v, proof %+v", a, r.Proof)
		}
	})
	t.Run("revocations", func(t *testing.T) {
		for _, tc := range []struct {
			i       int
			revoked bool
		}{{1, true}, {2, false}} {
			var r struct {
				Height int64            `json:"height"`
				Result RevocationStatus `json:"result"`
				Proof  *Proof           `json:"proof"`
			}
			ts.getJSON(t, "/v1/certificates/revocations/"+w.leaf(tc.i).String()+"?prove=true", &r)
			if r.Result.Revoked != tc.revoked || r.Result.Leaf != w.leaf(tc.i) || (r.Result.Revocation != nil) != tc.revoked {
				t.Fatalf("leaf %d: got %+v, want revoked %t", tc.i, r.Result, tc.revoked)
			}
			if tc.revoked && (r.Result.Revocation.Anchor != w.anchor || r.Result.Revocation.Index != 1 || r.Result.Revocation.Reason != "issued in error") {
				t.Fatalf("leaf %d: got revocation %+v", tc.i, r.Result.Revocation)
			}
			// Present or absent, the proof is verified: "not revoked" is proven.
			if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 || (r.Proof.Value != "") != tc.revoked {
				t.Fatalf("leaf %d: got proof %+v, want verified, a value: %t", tc.i, r.Proof, tc.revoked)
			}
		}
		var r struct {
			Result RevocationStatus `json:"result"`
			Proof  *Proof           `json:"proof"`
		}
		ts.getJSON(t, "/v1/certificates/revocations/"+w.leaf(3).String(), &r)
		if r.Result.Revoked || r.Proof != nil {
			t.Fatalf("unproven leaf 3: got %+v, proof %+v", r.Result, r.Proof)
		}
	})
	t.Run("verdict from proven records", func(t *testing.T) {
		nc, err := client.New(c.rpc)
		if err != nil {
			t.Fatal(err)
		}
		trust, err := client.TrustGenesisFile(node.GenesisFile(c.home))
		if err != nil {
			t.Fatal(err)
		}
		if err := nc.SetTrust(trust); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		for _, tc := range []struct {
			i    int
			want string
		}{{0, tx.VerdictValid}, {1, tx.VerdictRevoked}} {
			rec, err := nc.CertificateRecords(ctx, w.anchor, w.leaf(tc.i), client.ReadOpts{Prove: true})
			if err != nil {
				t.Fatal(err)
			}
			if !tx.VerifyMerklePath(rec.Anchor.Root, w.leaves[tc.i], uint64(tc.i), uint64(rec.Anchor.Count), tx.MerklePath(w.leaves, tc.i)) {
				t.Fatalf("leaf %d is not in the proven anchor", tc.i)
			}
			if v, why := rec.Verdict(time.Now()); v != tc.want || len(rec.Verifications) != 4 {
				t.Fatalf("leaf %d: got %s (%s) with %d verifications, want %s with 4", tc.i, v, why, len(rec.Verifications), tc.want)
			}
			if v, _ := rec.Verdict(rec.Anchor.Expires); tc.i == 0 && v != tx.VerdictExpired {
				t.Fatalf("leaf 0 at its expiry: %s", v)
			}
		}
		if _, err := nc.CertificateRecords(ctx, 1<<40, w.leaf(0), client.ReadOpts{}); err == nil || !strings.Contains(err.Error(), "not found") {
			t.Fatalf("records of an unknown anchor: %v", err)
		}
	})
	t.Run("bad requests", func(t *testing.T) {
		for _, tc := range []struct {
			path, field string
			status      int
		}{
			{"/v1/certificates/kinds/Family", "id", http.StatusBadRequest},
			{"/v1/certificates/kinds?after=a-b", "after", http.StatusBadRequest},
			{"/v1/certificates/kinds?limit=1001", "limit", http.StatusBadRequest},
			{"/v1/certificates/agencies/xyz", "address", http.StatusBadRequest},
			{"/v1/certificates/keys/00", "key", http.StatusBadRequest},
			{"/v1/certificates/anchors/0", "id", http.StatusBadRequest},
			{"/v1/certificates/anchors?kind=A", "kind", http.StatusBadRequest},
			{"/v1/certificates/anchors?after=0", "after", http.StatusBadRequest},
			{"/v1/certificates/revocations/" + strings.Repeat("A", 64), "leaf", http.StatusBadRequest},
			{"/v1/certificates/kinds/no_such_kind", "", http.StatusNotFound},
			{"/v1/certificates/anchors/99999999", "", http.StatusNotFound},
		} {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			p := wantProblem(t, tc.path, code, h, b, tc.status)
			if p.Field != tc.field {
				t.Fatalf("GET %s: got field %q (%s), want %q", tc.path, p.Field, b, tc.field)
			}
		}
	})
}
