package registry_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/internal/registry"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// TestSimulation drives, over fixed seeds, random grants (by the owners
// and by grantees passing roles on, with and without expiry, delegable or
// not), revocations, record creations (valid, breaking the schema, with
// a privacy mistake), transitions (by holders and non-holders, at the
// record's version or a stale one, with valid and invalid patches,
// k-of-n approvals) and time jumps of up to four months, one transaction
// per block, on two apps fed the same blocks. After every block it checks
// the same app hash on both and, against a model of the grants kept by
// the test:
//   - every stored record validates against the schema stored under its
//     schema id;
//   - every history step but create and deadline has at least K distinct
//     signers, each holding an effective grant of one of the transition's
//     roles at the step's time (by the model), and leaves from a state the
//     transition lists, the state the previous step reached; a create's
//     signer held one of create_roles;
//   - the counts by state equal a scan of the records;
//   - the index entries equal a scan: each record is under its values,
//     and each value's page lists exactly the records holding it;
//   - no record sits in a state with a deadline past its due.
//
// Each seed ends with an export round trip.
func TestSimulation(t *testing.T) {
	seeds := 3
	if testing.Short() {
		seeds = 1
	}
	seen := map[string]int{}
	for seed := 1; seed <= seeds; seed++ {
		t.Run(fmt.Sprint(seed), func(t *testing.T) { simulate(t, uint64(seed), 250, seen) })
	}
	for _, o := range []string{"ok", "registry.created", "registry.transitioned", "registry.approved", "registry.deadline",
		"registry/23", "registry/24", "registry/30", "registry/31", "registry/32", "registry/35", "registry/20", "registry/22"} {
		if seen[o] == 0 {
			t.Errorf("no seed reached outcome %q (%v)", o, seen)
		}
	}
	t.Logf("outcomes: %v", seen)
}

// simGrant is the model's grant.
type simGrant struct {
	granter   tx.Address
	expires   int64
	delegable bool
	depth     uint32
}

// simModel is the test's own account of the grants.
type simModel struct {
	grants map[string]simGrant
	owners map[string]tx.Address
}

func gkey(reg, role string, a tx.Address) string { return reg + "/" + role + "/" + a.String() }

// effective is the guard's rule, restated: unexpired at now and, when
// delegated, the granter's grant effective, delegable and nearer the owner.
func (m *simModel) effective(reg, role string, a tx.Address, now int64) bool {
	g, ok := m.grants[gkey(reg, role, a)]
	for ok {
		if g.expires != 0 && now >= g.expires {
			return false
		}
		if g.depth == 1 {
			return g.granter == m.owners[reg]
		}
		p, found := m.grants[gkey(reg, role, g.granter)]
		if !found || !p.delegable || p.depth >= g.depth {
			return false
		}
		g = p
	}
	return false
}

func (m *simModel) holdsAny(reg string, roles []string, a tx.Address, now int64) bool {
	for _, r := range roles {
		if m.effective(reg, r, a, now) {
			return true
		}
	}
	return false
}

func simulate(t *testing.T, seed uint64, blocks int, seen map[string]int) {
	rng := rand.New(rand.NewPCG(seed, 0x72656769))
	c := newTwinChain(t, false)
	c.enable(district, petDef, false)
	c.enable(ministry, trustDef, false)
	regs := []string{"pet_registration", "trust_filings"}
	defs := map[string]tx.RegistryDef{}
	for _, r := range regs {
		defs[r] = c.registry(r).Def
	}
	model := &simModel{grants: map[string]simGrant{}, owners: map[string]tx.Address{regs[0]: district.Addr, regs[1]: ministry.Addr}}
	owner := map[string]apptest.Key{regs[0]: district, regs[1]: ministry}
	actors := []apptest.Key{officer, officer2, officer3, vet, inspector, petOwner, petOwner2, district}
	pick := func(ks []apptest.Key) apptest.Key { return ks[rng.IntN(len(ks))] }
	// holder is mostly an actor the model says holds one of roles (when
	// one does), else anyone.
	holder := func(reg string, roles []string, now int64) apptest.Key {
		var hs []apptest.Key
		for _, k := range actors {
			if model.holdsAny(reg, roles, k.Addr, now) {
				hs = append(hs, k)
			}
		}
		if len(hs) == 0 || rng.IntN(5) == 0 {
			return pick(actors)
		}
		return pick(hs)
	}
	schemas := map[string]*regschema.Schema{}
	var stepsChecked int

	for b := 0; b < blocks; b++ {
		if rng.IntN(10) == 0 {
			c.jump(time.Duration(rng.Int64N(int64(120 * 24 * time.Hour))))
		}
		next := c.now.Add(apptest.BlockInterval).Unix() // the block's time
		reg := regs[rng.IntN(2)]
		def := defs[reg]
		n := c.count(reg).Records
		var (
			signer apptest.Key
			msg    tx.Msg
			kind   string
		)
		switch op := rng.IntN(20); {
		case op < 5: // grant
			kind = "grant"
			signer = owner[reg]
			role := def.Roles[rng.IntN(len(def.Roles))].Name
			if rng.IntN(3) == 0 {
				signer = holder(reg, []string{role}, next)
			}
			m := &tx.MsgRegistryGrant{Registry: reg, Role: role, Grantee: pick(actors).Addr, Delegable: rng.IntN(2) == 0}
			switch rng.IntN(5) {
			case 0, 1:
			case 4:
				m.Expires = next - rng.Int64N(3600) // in the past
			default:
				m.Expires = next + 1 + rng.Int64N(90*24*3600)
			}
			msg = m
		case op < 6: // revoke
			kind = "revoke"
			signer = owner[reg]
			if rng.IntN(2) == 0 {
				signer = pick(actors)
			}
			msg = &tx.MsgRegistryRevoke{Registry: reg, Role: def.Roles[rng.IntN(len(def.Roles))].Name, Grantee: pick(actors).Addr}
		case op < 11 || n == 0: // create
			kind = "create"
			signer = holder(reg, def.CreateRoles, next)
			msg = simCreate(rng, reg)
		default: // transition
			kind = "transition"
			id := 1 + rng.Uint64N(n+1)
			tr := def.Transitions[rng.IntN(len(def.Transitions))]
			signer = holder(reg, tr.Roles, next)
			version := uint64(1)
			if id <= n {
				version = c.record(reg, id).Version
			}
			if rng.IntN(8) == 0 { // stale, or not yet
				if version > 1 && rng.IntN(2) == 0 {
					version--
				} else {
					version++
				}
			}
			m := &tx.MsgRegistryTransition{Registry: reg, ID: id, Version: version, Transition: tr.Name}
			if len(tr.Patch) > 0 || rng.IntN(10) == 0 {
				m.Patch = simPatch(rng, tr.Name)
			}
			msg = m
		}
		raw := c.sign(signer, msg)
		res := c.block(raw)
		r := res.TxResults[0]
		if r.Code == 0 {
			seen["ok"]++
			for _, e := range r.Events {
				seen[e.Type]++
			}
		} else {
			seen[fmt.Sprintf("%s/%d", r.Codespace, r.Code)]++
			if r.Codespace == "tx" {
				c.h.SetSeq(signer, c.h.Seq(signer)-1)
			}
		}
		for _, e := range res.Events {
			seen[e.Type]++
		}
		if r.Code == 0 {
			switch m := msg.(type) {
			case *tx.MsgRegistryGrant:
				g := simGrant{granter: signer.Addr, expires: m.Expires, delegable: m.Delegable, depth: 1}
				if signer.Addr != model.owners[reg] {
					g.depth = model.grants[gkey(reg, m.Role, signer.Addr)].depth + 1
				}
				model.grants[gkey(reg, m.Role, m.Grantee)] = g
			case *tx.MsgRegistryRevoke:
				delete(model.grants, gkey(reg, m.Role, m.Grantee))
			case *tx.MsgRegistryCreate, *tx.MsgRegistryTransition:
				// The guard, from the model: the signer held a role.
				roles := def.CreateRoles
				if tm, ok := m.(*tx.MsgRegistryTransition); ok {
					roles = def.Transition(tm.Transition).Roles
				}
				if !model.holdsAny(reg, roles, signer.Addr, c.now.Unix()) {
					t.Fatalf("block %d: %s by %s succeeded without an effective grant of %v", b, kind, signer.Name, roles)
				}
			}
		}
		stepsChecked += checkInvariants(t, c, regs, defs, model, schemas)
	}
	t.Logf("seed %d: %d steps checked, height %d, %s", seed, stepsChecked, c.h.Height, c.now.Format(time.DateOnly))
	c.h.ExportRoundTrip(t)
}

// simCreate is a random record of reg: mostly valid, sometimes breaking
// the schema or the privacy class.
func simCreate(rng *rand.Rand, reg string) *tx.MsgRegistryCreate {
	owners := []apptest.Key{petOwner, petOwner2, officer}
	var data string
	m := &tx.MsgRegistryCreate{Registry: reg}
	if reg == "pet_registration" {
		data = petData(fmt.Sprintf("41000000000000%d", rng.IntN(4)), owners[rng.IntN(3)].Addr.String())
		if rng.IntN(2) == 0 {
			data = strings.Replace(data, `"mapo"`, fmt.Sprintf(`"mapo","weight_kg":%d`, rng.IntN(220)), 1)
		}
	} else {
		data = strings.Replace(filing(fmt.Sprintf("Trust %d", rng.IntN(5)), owners[rng.IntN(3)]), "scholarship",
			[]string{"scholarship", "welfare", "culture"}[rng.IntN(3)], 1)
		m.Digest = &tx.Hash32{byte(rng.IntN(256)), 1}
	}
	switch rng.IntN(8) {
	case 0:
		data = strings.Replace(data, `{`, `{"extra":1,`, 1)
	case 1:
		data = strings.Replace(data, `"2025-03-01"`, `"2025-13-01"`, 1)
	case 2:
		if reg == "trust_filings" {
			m.Digest = nil
		} else {
			m.URI = "https://example.org/x"
		}
	}
	m.Data = json.RawMessage(data)
	return m
}

// simPatch is a random patch for transition tr.
func simPatch(rng *rand.Rand, tr string) json.RawMessage {
	owners := []apptest.Key{petOwner, petOwner2, officer}
	switch {
	case tr == "transfer" && rng.IntN(4) > 0:
		return json.RawMessage(`{"owner":"` + owners[rng.IntN(3)].Addr.String() + `"}`)
	case tr == "inspect" && rng.IntN(4) > 0:
		return json.RawMessage(fmt.Sprintf(`{"weight_kg":%d}`, rng.IntN(220)))
	case rng.IntN(2) == 0:
		return json.RawMessage(`{"name":"Renamed"}`)
	}
	return json.RawMessage(`{"owner":"nobody"}`)
}

// checkInvariants checks the invariants of TestSimulation on the last
// committed state and returns the number of history steps checked.
func checkInvariants(t *testing.T, c *chain, regs []string, defs map[string]tx.RegistryDef, model *simModel, schemas map[string]*regschema.Schema) int {
	t.Helper()
	steps := 0
	for _, reg := range regs {
		def := defs[reg]
		var recs []registry.Record
		for req := (tx.RegistryRecordsRequest{Registry: reg, Limit: tx.MaxListLimit}); ; {
			page := query[tx.RegistryRecordPage](c, "records", req)
			recs = append(recs, page.Records...)
			if page.Next == 0 {
				break
			}
			req.After = page.Next
		}
		tally := map[string]uint64{}
		byValue := map[string][]uint64{} // "field=value" -> ids
		for i, rec := range recs {
			if rec.ID != uint64(i+1) {
				t.Fatalf("%s: record %d at position %d", reg, rec.ID, i)
			}
			s := schemas[rec.Schema]
			if s == nil {
				var raw json.RawMessage
				c.h.QueryJSON(t, "/registry/schema", apptest.MustJSON(t, map[string]string{"id": rec.Schema}), &raw)
				var err error
				if s, err = regschema.Compile(raw); err != nil {
					t.Fatal(err)
				}
				schemas[rec.Schema] = s
			}
			if err := s.Validate(rec.Data); err != nil {
				t.Fatalf("%s/%d does not validate against its schema %s: %v", reg, rec.ID, rec.Schema, err)
			}
			tally[rec.State]++
			if st := def.State(rec.State); st.Deadline != nil {
				due := rec.StateSince.Add(time.Duration(st.Deadline.Seconds()) * time.Second)
				if !due.After(c.now) {
					t.Fatalf("%s/%d: in %s since %s, due %s, still there at %s", reg, rec.ID, rec.State, rec.StateSince, due, c.now)
				}
			}
			var data map[string]any
			dec := json.NewDecoder(bytes.NewReader(rec.Data))
			dec.UseNumber()
			if err := dec.Decode(&data); err != nil {
				t.Fatal(err)
			}
			for _, f := range def.Indexes {
				if v, ok := data[f]; ok {
					k := f + "=" + fmt.Sprint(v)
					byValue[k] = append(byValue[k], rec.ID)
					entry := c.raw("index_entry", tx.RegistryIndexEntryRequest{Registry: reg, Field: f, Value: fmt.Sprint(v), ID: rec.ID}, false)
					apptest.RequireOK(t, fmt.Sprintf("index entry %s/%d %s", reg, rec.ID, k), entry)
				}
			}
			steps += checkHistory(t, c, def, model, rec)
		}
		for _, st := range c.count(reg).States {
			if st.Records != tally[st.State] {
				t.Fatalf("%s: count of %s is %d, a scan finds %d", reg, st.State, st.Records, tally[st.State])
			}
		}
		for k, ids := range byValue {
			f, v, _ := strings.Cut(k, "=")
			page := query[tx.RegistryIDPage](c, "index", tx.RegistryIndexRequest{Registry: reg, Field: f, Value: v, Limit: tx.MaxListLimit})
			if !slices.Equal(page.IDs, ids) {
				t.Fatalf("%s index %s: %v, a scan finds %v", reg, k, page.IDs, ids)
			}
		}
	}
	return steps
}

// checkHistory checks a record's history against its definition and the
// grants model.
func checkHistory(t *testing.T, c *chain, def tx.RegistryDef, model *simModel, rec registry.Record) int {
	t.Helper()
	h := c.history(def.Name, rec.ID)
	if uint64(len(h)) != rec.Version || h[len(h)-1].To != rec.State {
		t.Fatalf("%s/%d: version %d in %s, history %+v", def.Name, rec.ID, rec.Version, rec.State, h)
	}
	for i, s := range h {
		where := fmt.Sprintf("%s/%d step %d (%s)", def.Name, rec.ID, s.Version, s.Transition)
		switch {
		case i == 0:
			if s.Transition != "create" || s.To != def.Initial || len(s.Signers) != 1 {
				t.Fatalf("%s: %+v", where, s)
			}
			// Checked against the model when the create ran.
		case s.Transition == "deadline":
			st := def.State(s.From)
			if len(s.Signers) != 0 || st.Deadline == nil || st.Deadline.To != s.To || s.From != h[i-1].To {
				t.Fatalf("%s: %+v", where, s)
			}
		default:
			tr := def.Transition(s.Transition)
			if tr == nil || tr.To != s.To || !slices.Contains(tr.From, s.From) || s.From != h[i-1].To {
				t.Fatalf("%s: %+v does not follow the definition from %s", where, s, h[i-1].To)
			}
			if uint32(len(s.Signers)) < tr.K() {
				t.Fatalf("%s: %d signers, the transition needs %d", where, len(s.Signers), tr.K())
			}
			for j, a := range s.Signers {
				if slices.Contains(s.Signers[:j], a) {
					t.Fatalf("%s: signer %s twice", where, a)
				}
				// Steps are checked every block: a step of this block is
				// checked against the model as it is now.
				if s.Height == c.h.Height && !model.holdsAny(def.Name, tr.Roles, a, s.Time.Unix()) {
					t.Fatalf("%s: signer %s held no effective grant of %v at %s", where, a, tr.Roles, s.Time)
				}
			}
		}
	}
	return len(h)
}
