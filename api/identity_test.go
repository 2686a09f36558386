package api

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/keyring"
	"github.com/citychain/citychain/chain/tx"
)

// identityWorld is what identityFixture put on the shared chain.
type identityWorld struct {
	citizen   tx.Address // an active identity with two copies
	suspended tx.Address // a suspended one
	barred    tx.Hash32  // barred from api-youth
}

var (
	identityOnce sync.Once
	identityW    identityWorld
	identityErr  error
)

// identityFixture builds, on first use: an office and a facility
// registrar (keys of their own, granted their roles by the authority),
// the office's card list, two citizens (one suspended), a library and a
// youth centre, and a bar at the youth centre.
func identityFixture(t *testing.T, c *testChain) identityWorld {
	t.Helper()
	identityOnce.Do(func() { identityW, identityErr = buildIdentities(t, c) })
	if identityErr != nil {
		t.Fatalf("identity fixture: %v", identityErr)
	}
	return identityW
}

func buildIdentities(t *testing.T, c *testChain) (identityWorld, error) {
	nc, err := client.New(c.rpc)
	if err != nil {
		return identityWorld{}, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	key := func(name string) (*keyring.Key, error) {
		k, err := c.keys.Get(name)
		if errors.Is(err, keyring.ErrNotFound) {
			k, err = c.keys.Add(name)
		}
		return k, err
	}
	keys := map[string]*keyring.Key{}
	for _, n := range []string{"identity-office", "identity-facreg", "identity-citizen", "identity-citizen-2"} {
		if keys[n], err = key(n); err != nil {
			return identityWorld{}, err
		}
	}
	office, facReg := keys["identity-office"], keys["identity-facreg"]
	list := tx.StatusListID(office.Address, "api-card")
	commit := func(seed string, n int) ([]tx.Hash32, []tx.CardReveal) {
		var hs []tx.Hash32
		var rs []tx.CardReveal
		for i := range n {
			d := sha256.Sum256([]byte(fmt.Sprintf("%s/%d", seed, i)))
			idx := (uint32(d[0])<<16 | uint32(d[1])<<8 | uint32(d[2])) % tx.MinStatusListSize
			var salt [tx.CardSaltLen]byte
			copy(salt[:], d[3:])
			hs = append(hs, tx.CardCommitment(list, idx, salt))
			rs = append(rs, tx.CardReveal{Idx: idx, Salt: salt[:]})
		}
		return hs, rs
	}
	w := identityWorld{citizen: keys["identity-citizen"].Address, suspended: keys["identity-citizen-2"].Address,
		barred: tx.Pseudonym("api-youth", keys["identity-citizen"].PubKey)}
	c1, _ := commit("citizen", 2)
	c2, r2 := commit("citizen-2", 1)
	steps := []struct {
		key  *keyring.Key
		msgs []tx.Msg
	}{
		{c.key(t, "authority"), []tx.Msg{&tx.MsgRoleGrant{Address: office.Address, Role: tx.RoleRegistrationOffice}}},
		{c.key(t, "authority"), []tx.Msg{&tx.MsgRoleGrant{Address: facReg.Address, Role: tx.RoleFacilityRegistrar}}},
		{office, []tx.Msg{
			&tx.MsgCredentialCreateList{Name: "api-card", Purpose: tx.StatusSuspension, Size: tx.MinStatusListSize},
			&tx.MsgIdentityRegister{DeviceKey: keys["identity-citizen"].PubKey, CardList: list, Commitments: c1},
			&tx.MsgIdentityRegister{DeviceKey: keys["identity-citizen-2"].PubKey, CardList: list, Commitments: c2},
		}},
		{keys["identity-citizen-2"], []tx.Msg{&tx.MsgIdentitySuspend{ID: w.suspended, Reason: "phone lost", Reveal: r2}}},
		{facReg, []tx.Msg{
			&tx.MsgIdentityRegisterFacility{ID: "api-library", Name: "Seoul Library", Kind: "library", Claims: []string{"resident_seoul"}},
			&tx.MsgIdentityRegisterFacility{ID: "api-youth", Name: "Mapo Youth Centre", Kind: "youth_centre", Claims: []string{"resident_seoul"}, AcceptsTokens: true},
			&tx.MsgIdentityBar{Facility: "api-youth", Pseudonym: w.barred, Until: time.Now().Add(30 * 24 * time.Hour).UTC().Truncate(time.Second), Reason: "vandalism"},
		}},
	}
	for _, st := range steps {
		if _, err := nc.Submit(ctx, st.key.Private, "api identity test", st.msgs...); err != nil {
			return w, fmt.Errorf("%s: %w", st.key.Name, err)
		}
	}
	return w, nil
}

func TestIdentityRoutes(t *testing.T) {
	c := getChain(t)
	w := identityFixture(t, c)
	ts := startServer(t, c, nil)

	t.Run("identity with proof", func(t *testing.T) {
		var r struct {
			Height int64       `json:"height"`
			Result tx.Identity `json:"result"`
			Proof  *Proof      `json:"proof"`
		}
		ts.getJSON(t, "/v1/identities/"+w.citizen.String()+"?prove=true", &r)
		if r.Result.ID != w.citizen || r.Result.Status != tx.IdentityActive || len(r.Result.Commitments) != 2 || len(r.Result.Keys) != 1 {
			t.Fatalf("got %+v, want the active citizen with two copies", r.Result)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 {
			t.Fatalf("got proof %+v, want verified against header %d", r.Proof, r.Height+1)
		}
		ts.getJSON(t, "/v1/identities/"+w.suspended.String(), &r)
		if r.Result.Status != tx.IdentitySuspended || r.Result.Revealed != 1 {
			t.Fatalf("got %+v, want the suspended citizen with its copy revealed", r.Result)
		}
	})
	t.Run("facilities", func(t *testing.T) {
		var p AfterPage[tx.Facility]
		ts.getJSON(t, "/v1/facilities?limit=1", &p)
		if len(p.Items) != 1 || p.Items[0].ID != "api-library" || p.NextAfter != "api-library" || p.NextCursor == "" {
			t.Fatalf("first page: %+v", p)
		}
		var p2 AfterPage[tx.Facility]
		ts.getJSON(t, "/v1/facilities?limit=1&cursor="+p.NextCursor, &p2)
		if len(p2.Items) != 1 || p2.Items[0].ID != "api-youth" || p2.Items[0].Kind != "youth_centre" {
			t.Fatalf("second page: %+v", p2)
		}
	})
	t.Run("barred, proven either way", func(t *testing.T) {
		var r struct {
			Height int64  `json:"height"`
			Result Barred `json:"result"`
			Proof  *Proof `json:"proof"`
		}
		ts.getJSON(t, "/v1/facilities/api-youth/barred/"+w.barred.String()+"?prove=true", &r)
		if !r.Result.Barred || r.Result.Bar == nil || r.Result.Bar.Reason != "vandalism" || r.Result.Bar.Until.IsZero() {
			t.Fatalf("got %+v, want the bar", r.Result)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.Value == "" {
			t.Fatalf("got proof %+v, want the bar verified", r.Proof)
		}
		other := tx.Pseudonym("api-library", c.key(t, "alice").PubKey)
		r.Result, r.Proof = Barred{}, nil
		ts.getJSON(t, "/v1/facilities/api-youth/barred/"+other.String()+"?prove=true", &r)
		if r.Result.Barred || r.Result.Bar != nil || r.Result.Pseudonym != other {
			t.Fatalf("got %+v, want not barred", r.Result)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.Value != "" {
			t.Fatalf("got proof %+v, want the absence verified", r.Proof)
		}
	})
	for _, tc := range []struct{ path, want string }{
		{"/v1/facilities/api-youth?prove=true", `"kind": "youth_centre"`},
		{"/v1/facilities/api-library", `"agency": "`},
		{"/v1/identity/stats", `"kind": "youth_centre"`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, _, b := ts.do(t, "GET", tc.path, nil)
			if code != 200 || !contains(string(b), tc.want) {
				t.Fatalf("GET %s: got %d %.600s, want 200 containing %s", tc.path, code, b, tc.want)
			}
			if strings.Contains(tc.path, "prove=true") && !contains(string(b), `"verified": true`) {
				t.Fatalf("GET %s: got %.600s, want a verified proof", tc.path, b)
			}
		})
	}
	for _, tc := range []struct {
		path, field string
		code        int
	}{
		{"/v1/identities/" + strings.Repeat("0", 40), "", http.StatusNotFound},
		{"/v1/identities/XYZ", "id", http.StatusBadRequest},
		{"/v1/facilities/nowhere", "", http.StatusNotFound},
		{"/v1/facilities/Bad.Id", "id", http.StatusBadRequest},
		{"/v1/facilities/api-youth/barred/abc", "pseudonym", http.StatusBadRequest},
		{"/v1/facilities?limit=5000", "limit", http.StatusBadRequest},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, hdr, b := ts.do(t, "GET", tc.path, nil)
			p := wantProblem(t, "GET "+tc.path, code, hdr, b, tc.code)
			if p.Field != tc.field {
				t.Fatalf("GET %s: problem field %q, want %q (%s)", tc.path, p.Field, tc.field, b)
			}
		})
	}
	t.Run("stats", func(t *testing.T) {
		var st tx.IdentityStats
		ts.getJSON(t, "/v1/identity/stats", &st)
		if st.Identities < 2 || st.Suspended < 1 || st.Facilities < 2 || st.Bars < 1 || len(st.ByKind) == 0 {
			t.Fatalf("stats: %+v, want the fixture's two citizens (one suspended), two facilities and a bar counted", st)
		}
	})
	t.Run("absent identity, proven", func(t *testing.T) {
		var r struct {
			Result json.RawMessage `json:"result"`
			Proof  *Proof          `json:"proof"`
		}
		ts.getJSON(t, "/v1/identities/"+strings.Repeat("0", 40)+"?prove=true", &r)
		if string(r.Result) != "null" || r.Proof == nil || !r.Proof.Verified {
			t.Fatalf("got %s, proof %+v; want null, its absence verified", r.Result, r.Proof)
		}
	})
}
