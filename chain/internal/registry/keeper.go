// Package registry is the standard platform: registries defined as data
// (tx.RegistryDef: a record schema in the chain/regschema profile, roles,
// states and transitions with their guards, a privacy class, indexes and
// limits) and served by the running chain with no code of their own. An
// agency proposes a definition, the authorities enable it, the owner
// grants its roles, and role holders create records and move them through
// their states; deadlines move records in the end-of-block work. See
// README.md.
package registry

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"sync"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/sdjwt"
	"github.com/citychain/citychain/chain/tx"
)

// Auth is what the registry module needs of the auth module.
type Auth interface {
	HasRole(ctx *module.Context, addr tx.Address, role string) bool
	IsAuthority(ctx *module.Context, addr tx.Address) bool
	EnsureAccount(ctx *module.Context, addr tx.Address)
}

// Credentials is what the registry module needs of the credentials module
// for credential predicates: its evidence check (see
// credentials.Keeper.CheckEvidence), whose errors are
// *credentials.EvidenceError.
type Credentials interface {
	CheckEvidence(ctx *module.Context, schema string, ev *tx.RegistryEvidence, msg []byte, what string) (*sdjwt.Payload, error)
}

// Keeper owns the registry module's state.
type Keeper struct {
	prefix byte
	auth   Auth
	creds  Credentials

	// schemas memoises compiled schemas by content id. A schema id is the
	// SHA-256 of the schema's canonical bytes, so an entry never goes
	// stale and a hit returns what compiling the stored bytes again
	// would: the memo changes no outcome, only the work.
	mu      sync.Mutex
	schemas map[string]*regschema.Schema
	// registries memoises decoded registries by name with the stored
	// bytes they were decoded from: a hit needs the same bytes, so it
	// returns what decoding them would. The values are shared: read only.
	registries map[string]memoRegistry
}

type memoRegistry struct {
	raw []byte
	r   *Registry
}

// maxMemo bounds the compiled-schema memo; when full it starts over.
const maxMemo = 256

var (
	_ module.Module     = (*Keeper)(nil)
	_ module.EndBlocker = (*Keeper)(nil)
)

// NewKeeper returns the keeper for the module's key space under prefix.
func NewKeeper(prefix byte, auth Auth, creds Credentials) *Keeper {
	return &Keeper{prefix: prefix, auth: auth, creds: creds, schemas: map[string]*regschema.Schema{},
		registries: map[string]memoRegistry{}}
}

// Name implements module.Module.
func (*Keeper) Name() string { return Codespace }

func (k *Keeper) kv(ctx *module.Context) store.KV { return ctx.Store(k.prefix) }

// The module's records, declared in chain/tx (which clients import).
type (
	// Registry is an enabled registry.
	Registry = tx.Registry
	// Record is a registry record.
	Record = tx.RegistryRecord
	// Step is one entry of a record's history.
	Step = tx.RegistryStep
	// Grant is a grant of a registry role.
	Grant = tx.RegistryGrant
	// Approval is a pending approval of a k-of-n transition.
	Approval = tx.RegistryApproval
	// Proposal is a proposed definition.
	Proposal = tx.RegistryProposal
)

// Deadline is a record's queued deadline: at Due, if the record is still
// in State at Version, it moves to To. It is fixed when the record enters
// the state, under the definition then enabled.
type Deadline struct {
	Registry string    `json:"registry"`
	ID       uint64    `json:"id"`
	Due      time.Time `json:"due"`
	State    string    `json:"state"`
	Version  uint64    `json:"version"`
	To       string    `json:"to"`
}

// ---- state helpers ----

// putJSON stores v as JSON without HTML escaping, so that a record's
// canonical data (and a definition's canonical schema) are stored byte
// for byte as canonicalised.
func putJSON(kv store.KV, key []byte, v any) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic(err) // state values always encode
	}
	kv.Set(key, bytes.TrimSuffix(b.Bytes(), []byte{'\n'}))
}

func getRegistry(kv store.KV, name string) *Registry {
	var r Registry
	if !store.GetJSON(kv, registryKey(name), &r) {
		return nil
	}
	return &r
}

func getProposal(kv store.KV, id tx.Hash32) *Proposal {
	var p Proposal
	if !store.GetJSON(kv, proposalKey(id), &p) {
		return nil
	}
	return &p
}

func getRecord(kv store.KV, name string, id uint64) *Record {
	var r Record
	if !store.GetJSON(kv, recordKey(name, id), &r) {
		return nil
	}
	return &r
}

func getGrant(kv store.KV, name, role string, grantee tx.Address) *Grant {
	var g Grant
	if !store.GetJSON(kv, grantKey(name, role, grantee), &g) {
		return nil
	}
	return &g
}

// records is the number of records of a registry (the last id).
func records(kv store.KV, name string) uint64 { return store.GetUint64(kv, countKey(name)) }

// addTally adds d (+1 or -1) to the count of records in state; a count
// of zero is deleted.
func addTally(kv store.KV, name, state string, d int) {
	key := tallyKey(name, state)
	n := store.GetUint64(kv, key)
	if d < 0 {
		n--
	} else {
		n++
	}
	if n == 0 {
		kv.Delete(key)
		return
	}
	kv.Set(key, u64(n))
}

// schemaIDBytes decodes a schema id (64 lowercase hex characters).
func schemaIDBytes(id string) ([32]byte, bool) {
	var b [32]byte
	if len(id) != 64 {
		return b, false
	}
	if _, err := hex.Decode(b[:], []byte(id)); err != nil || hex.EncodeToString(b[:]) != id {
		return b, false
	}
	return b, true
}

// putSchema stores a schema's canonical bytes under its id (once: the
// same schema is the same id).
func putSchema(kv store.KV, s *regschema.Schema) {
	id, _ := schemaIDBytes(s.ID())
	if !kv.Has(schemaKey(id)) {
		kv.Set(schemaKey(id), s.Canonical())
	}
}

// schema returns the compiled schema stored under id, nil when none is.
func (k *Keeper) schema(kv store.KV, id string) *regschema.Schema {
	b, ok := schemaIDBytes(id)
	if !ok {
		return nil
	}
	raw := kv.Get(schemaKey(b))
	if raw == nil {
		return nil
	}
	k.mu.Lock()
	s := k.schemas[id]
	k.mu.Unlock()
	if s != nil {
		return s
	}
	s, err := regschema.Compile(raw)
	if err != nil || s.ID() != id {
		return nil
	}
	k.remember(s)
	return s
}

// compile compiles a schema document through the memo.
func (k *Keeper) compile(raw []byte) (*regschema.Schema, error) {
	id, err := regschema.ID(raw)
	if err == nil {
		k.mu.Lock()
		s := k.schemas[id]
		k.mu.Unlock()
		if s != nil {
			return s, nil
		}
	}
	s, err := regschema.Compile(raw)
	if err != nil {
		return nil, err
	}
	k.remember(s)
	return s, nil
}

func (k *Keeper) remember(s *regschema.Schema) {
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.schemas) >= maxMemo {
		clear(k.schemas)
	}
	k.schemas[s.ID()] = s
}

// Registry returns the enabled registry name, or nil.
func (k *Keeper) Registry(ctx *module.Context, name string) *Registry {
	return getRegistry(k.kv(ctx), name)
}

// Record returns record id of registry name, or nil.
func (k *Keeper) Record(ctx *module.Context, name string, id uint64) *Record {
	return getRecord(k.kv(ctx), name, id)
}

// Effective reports whether addr holds an effective grant of role in
// registry name at the block time of ctx (see effective).
func (k *Keeper) Effective(ctx *module.Context, name, role string, addr tx.Address) bool {
	return effective(k.kv(ctx), name, role, addr, ctx.Time.Unix())
}

// Handle implements module.Module.
func (k *Keeper) Handle(ctx *module.Context, signer tx.Address, msg tx.Msg) error {
	switch m := msg.(type) {
	case *tx.MsgRegistryPropose:
		return k.propose(ctx, signer, m)
	case *tx.MsgRegistryEnable:
		return k.enable(ctx, signer, m)
	case *tx.MsgRegistryGrant:
		return k.grant(ctx, signer, m)
	case *tx.MsgRegistryRevoke:
		return k.revoke(ctx, signer, m)
	case *tx.MsgRegistryCreate:
		return k.create(ctx, signer, m)
	case *tx.MsgRegistryTransition:
		return k.transition(ctx, signer, m)
	}
	return module.ErrInternal.Wrapf("registry cannot handle %s", msg.Type())
}

// enabled returns the registry name, to read only, or ErrUnknown.
func (k *Keeper) enabled(kv store.KV, name string) (*Registry, error) {
	raw := kv.Get(registryKey(name))
	if raw == nil {
		return nil, ErrUnknown.Wrapf("no enabled registry %q", name)
	}
	k.mu.Lock()
	m, ok := k.registries[name]
	k.mu.Unlock()
	if ok && bytes.Equal(m.raw, raw) {
		return m.r, nil
	}
	var r Registry
	store.DecodeJSON(raw, &r)
	k.mu.Lock()
	defer k.mu.Unlock()
	if len(k.registries) >= maxMemo {
		clear(k.registries)
	}
	k.registries[name] = memoRegistry{raw: bytes.Clone(raw), r: &r}
	return &r, nil
}

func idOf(b []byte) uint64 { return binary.BigEndian.Uint64(b) }
