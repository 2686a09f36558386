package api

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The credentials fixture on the shared chain: the registrar is made an
// accreditor (by the devnet's one authority) and registers a schema and a
// verifier; the inspector, accredited for the schema since an hour ago,
// creates a revocation list, revokes two credentials and anchors a batch.
const (
	credSchema   = "api_resident"
	credVerifier = "api-library"
	credList     = "api-rev"
)

type credentialWorld struct {
	accreditor, issuer tx.Address
	list               string // the list id
	anchor             uint64
}

var (
	credentialsOnce sync.Once
	credentialsW    credentialWorld
	credentialsErr  error
)

func credentialFixture(t *testing.T, c *testChain) credentialWorld {
	t.Helper()
	credentialsOnce.Do(func() { credentialsW, credentialsErr = buildCredentials(t, c) })
	if credentialsErr != nil {
		t.Fatalf("credentials fixture: %v", credentialsErr)
	}
	return credentialsW
}

func buildCredentials(t *testing.T, c *testChain) (credentialWorld, error) {
	nc, err := client.New(c.rpc)
	if err != nil {
		return credentialWorld{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	w := credentialWorld{accreditor: c.key(t, "registrar").Address, issuer: c.key(t, "inspector").Address}
	w.list = tx.StatusListID(w.issuer, credList)
	roles, _, err := nc.Roles(ctx, w.accreditor, client.ReadOpts{})
	if err != nil {
		return w, err
	}
	if !slices.Contains(roles, tx.RoleAccreditor) {
		if _, err := nc.Submit(ctx, c.key(t, "authority").Private, "", &tx.MsgRoleGrant{Address: w.accreditor, Role: tx.RoleAccreditor}); err != nil {
			return w, fmt.Errorf("grant accreditor: %w", err)
		}
	}
	steps := []struct {
		key  string
		msgs []tx.Msg
	}{
		{"registrar", []tx.Msg{
			&tx.MsgCredentialRegisterSchema{ID: credSchema, Name: "Seoul residency (API test)", Claims: []string{"resident_seoul", "age_over_65"}},
			&tx.MsgCredentialAccredit{Issuer: w.issuer, Schema: credSchema, From: time.Now().Add(-time.Hour).UTC().Truncate(time.Second)},
			&tx.MsgCredentialRegisterVerifier{ID: credVerifier, Key: c.key(t, "alice").PubKey, Name: "Library", Purpose: "membership for residents",
				Claims: []string{"resident_seoul"}},
		}},
		{"inspector", []tx.Msg{
			&tx.MsgCredentialCreateList{Name: credList, Purpose: tx.StatusRevocation, Size: tx.MinStatusListSize},
			&tx.MsgCredentialSetStatus{List: w.list, Indices: []uint32{3, 9000}, Value: true},
			&tx.MsgCredentialAnchor{Schema: credSchema, Root: tx.MerkleRoot([][]byte{[]byte("a"), []byte("b")}), Count: 2},
		}},
	}
	for _, st := range steps {
		res, err := nc.Submit(ctx, c.key(t, st.key).Private, "api credentials test", st.msgs...)
		if err != nil {
			return w, fmt.Errorf("%s: %w", st.key, err)
		}
		if id, ok := res.Attr("credentials.anchored", "id"); ok {
			if _, err := fmt.Sscan(id, &w.anchor); err != nil {
				return w, err
			}
		}
	}
	return w, nil
}

func TestCredentials(t *testing.T) {
	c := getChain(t)
	w := credentialFixture(t, c)
	ts := startServer(t, c, nil)
	listPath := "/v1/credentials/lists/" + w.issuer.String() + "/" + credList

	t.Run("stats", func(t *testing.T) {
		var s tx.CredentialStats
		ts.getJSON(t, "/v1/credentials/stats", &s)
		if s.Schemas < 1 || s.Verifiers < 1 || s.Lists < 1 || s.StatusSet < 2 || s.Anchors < 1 || s.Anchored < 2 {
			t.Fatalf("got stats %+v, want the fixture's records counted", s)
		}
	})
	t.Run("schemas", func(t *testing.T) {
		var p AfterPage[tx.Schema]
		ts.getJSON(t, "/v1/credentials/schemas", &p)
		if !slices.ContainsFunc(p.Items, func(s tx.Schema) bool { return s.ID == credSchema }) {
			t.Fatalf("got schemas %+v, want %s", p.Items, credSchema)
		}
		var r struct {
			Height int64     `json:"height"`
			Result tx.Schema `json:"result"`
			Proof  *Proof    `json:"proof"`
		}
		ts.getJSON(t, "/v1/credentials/schemas/"+credSchema+"?prove=true", &r)
		if r.Result.ID != credSchema || strings.Join(r.Result.Claims, ",") != "resident_seoul,age_over_65" || r.Result.By != w.accreditor {
			t.Fatalf("got schema %+v", r.Result)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 {
			t.Fatalf("got proof %+v, want verified against header %d", r.Proof, r.Height+1)
		}
	})
	t.Run("accreditation", func(t *testing.T) {
		var r struct {
			Result tx.Accreditation `json:"result"`
			Proof  *Proof           `json:"proof"`
		}
		ts.getJSON(t, "/v1/credentials/accreditations/"+w.issuer.String()+"/"+credSchema+"?prove=true", &r)
		if r.Result.Issuer != w.issuer || len(r.Result.Windows) != 1 || !r.Result.Windows[0].Until.IsZero() || r.Proof == nil || !r.Proof.Verified {
			t.Fatalf("got %+v, proof %+v", r.Result, r.Proof)
		}
		var p AfterPage[tx.Accreditation]
		ts.getJSON(t, "/v1/credentials/accreditations?issuer="+w.issuer.String(), &p)
		if len(p.Items) != 1 || p.Items[0].Schema != credSchema {
			t.Fatalf("got the issuer's accreditations %+v", p.Items)
		}
	})
	t.Run("verifiers", func(t *testing.T) {
		var p AfterPage[tx.Verifier]
		ts.getJSON(t, "/v1/credentials/verifiers", &p)
		if !slices.ContainsFunc(p.Items, func(v tx.Verifier) bool { return v.ID == credVerifier && v.Status == tx.VerifierActive }) {
			t.Fatalf("got verifiers %+v", p.Items)
		}
		var r struct {
			Result tx.Verifier `json:"result"`
		}
		ts.getJSON(t, "/v1/credentials/verifiers/"+credVerifier, &r)
		if r.Result.Purpose != "membership for residents" {
			t.Fatalf("got verifier %+v", r.Result)
		}
	})
	t.Run("lists", func(t *testing.T) {
		var p AfterPage[tx.StatusList]
		ts.getJSON(t, "/v1/credentials/lists?owner="+w.issuer.String(), &p)
		if len(p.Items) != 1 || p.Items[0].ID != w.list {
			t.Fatalf("got the issuer's lists %+v", p.Items)
		}
		var r struct {
			Result tx.StatusList `json:"result"`
		}
		ts.getJSON(t, listPath, &r)
		if r.Result.Purpose != tx.StatusRevocation || r.Result.Size != tx.MinStatusListSize || r.Result.Set != 2 {
			t.Fatalf("got list %+v", r.Result)
		}
	})
	t.Run("status", func(t *testing.T) {
		for _, tc := range []struct {
			idx   uint32
			set   bool
			value bool // the chunk is stored
		}{{3, true, true}, {4, false, true}, {9000, true, true}, {100_000, false, false}} {
			var r struct {
				Height int64     `json:"height"`
				Result tx.Status `json:"result"`
				Proof  *Proof    `json:"proof"`
			}
			ts.getJSON(t, fmt.Sprintf("%s/status/%d?prove=true", listPath, tc.idx), &r)
			if r.Result.Set != tc.set || r.Result.Idx != tc.idx || r.Result.Chunk != tc.idx/tx.StatusChunkBits || r.Result.List != w.list {
				t.Fatalf("bit %d: got %+v, want set %t", tc.idx, r.Result, tc.set)
			}
			if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 || (r.Proof.Value != "") != tc.value {
				t.Fatalf("bit %d: got proof %+v, want verified, the chunk stored: %t", tc.idx, r.Proof, tc.value)
			}
			if tc.value && len(r.Proof.Value) != 2*tx.StatusChunkBytes {
				t.Fatalf("bit %d: the proven value has %d hex characters, want a chunk's %d", tc.idx, len(r.Proof.Value), 2*tx.StatusChunkBytes)
			}
		}
		var r struct {
			Result tx.Status `json:"result"`
			Proof  *Proof    `json:"proof"`
		}
		ts.getJSON(t, listPath+"/status/3", &r)
		if !r.Result.Set || r.Proof != nil {
			t.Fatalf("unproven bit 3: got %+v, proof %+v", r.Result, r.Proof)
		}
	})
	t.Run("anchors", func(t *testing.T) {
		var p AfterPage[tx.CredentialAnchor]
		ts.getJSON(t, "/v1/credentials/anchors", &p)
		if !slices.ContainsFunc(p.Items, func(a tx.CredentialAnchor) bool { return a.ID == w.anchor && a.Issuer == w.issuer }) {
			t.Fatalf("got anchors %+v, want %d", p.Items, w.anchor)
		}
		var r struct {
			Result tx.CredentialAnchor `json:"result"`
			Proof  *Proof              `json:"proof"`
		}
		ts.getJSON(t, fmt.Sprintf("/v1/credentials/anchors/%d?prove=true", w.anchor), &r)
		if r.Result.Count != 2 || r.Result.Schema != credSchema || r.Proof == nil || !r.Proof.Verified {
			t.Fatalf("got anchor %+v, proof %+v", r.Result, r.Proof)
		}
	})
	t.Run("refusals", func(t *testing.T) {
		for _, tc := range []struct {
			path, field string
			code        int
		}{
			{"/v1/credentials/schemas/Bad", "id", 400},
			{"/v1/credentials/schemas/nope_schema", "", 404},
			{"/v1/credentials/schemas?limit=1001", "limit", 400},
			{"/v1/credentials/accreditations/xyz/" + credSchema, "issuer", 400},
			{"/v1/credentials/accreditations?after=zz", "after", 400},
			{"/v1/credentials/lists?owner=nope", "owner", 400},
			{"/v1/credentials/lists/" + w.issuer.String() + "/Bad!", "name", 400},
			{listPath + "/status/x", "idx", 400},
			{listPath + "/status/131072", "", 400},
			{"/v1/credentials/lists/" + w.issuer.String() + "/none/status/1", "", 404},
			{"/v1/credentials/anchors/0", "id", 400},
			{"/v1/credentials/anchors/99999", "", 404},
			{"/v1/credentials/verifiers/" + credVerifier + "?prove=maybe", "prove", 400},
		} {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			if p := wantProblem(t, tc.path, code, h, b, tc.code); p.Field != tc.field {
				t.Errorf("GET %s: got field %q, want %q (%s)", tc.path, p.Field, tc.field, b)
			}
		}
	})
}
