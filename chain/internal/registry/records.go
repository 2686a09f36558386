package registry

import (
	"bytes"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/regschema"
	"github.com/citychain/citychain/chain/tx"
)

// members decodes a record's data (a canonical JSON object) into its
// top-level members. Only lookups are made in the map.
func members(data []byte) (map[string]json.RawMessage, error) {
	var m map[string]json.RawMessage
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, err
	}
	if m == nil {
		return nil, errNotObject
	}
	return m, nil
}

var errNotObject = errors.New("want a JSON object")

// indexValue is the index value of a member: a string's characters, an
// integer's decimal form; false for any other kind of value.
func indexValue(raw json.RawMessage) (string, bool) {
	if len(raw) == 0 {
		return "", false
	}
	switch c := raw[0]; {
	case c == '"':
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return "", false
		}
		return s, true
	case c == '-' || c >= '0' && c <= '9':
		return string(raw), true
	}
	return "", false
}

// indexEntry is one index entry of a record: field = value.
type indexEntry struct{ field, value string }

// indexEntries are the entries of data under the registry's indexes, in
// the definition's index order: one per indexed field present with a
// string or integer value.
func indexEntries(def *tx.RegistryDef, data []byte) []indexEntry {
	if len(def.Indexes) == 0 {
		return nil
	}
	m, err := members(data)
	if err != nil {
		return nil
	}
	var out []indexEntry
	for _, f := range def.Indexes {
		if v, ok := indexValue(m[f]); ok {
			out = append(out, indexEntry{f, v})
		}
	}
	return out
}

func setIndexes(kv store.KV, name string, id uint64, es []indexEntry) {
	for _, e := range es {
		kv.Set(indexKey(name, e.field, e.value, id), u64(id))
	}
}

func deleteIndexes(kv store.KV, name string, id uint64, es []indexEntry) {
	for _, e := range es {
		kv.Delete(indexKey(name, e.field, e.value, id))
	}
}

// checkPrivacy checks digest and uri against the registry's privacy class.
func checkPrivacy(def *tx.RegistryDef, digest *tx.Hash32, uri string) error {
	switch def.Privacy {
	case tx.PrivacyPublic:
		if digest != nil || uri != "" {
			return ErrPrivacy.Wrapf("registry %q is public: its records carry no digest and no uri", def.Name)
		}
		return nil
	case tx.PrivacyHash:
		if uri != "" {
			return ErrPrivacy.Wrapf("registry %q keeps a digest only (privacy hash): uri %q refused", def.Name, uri)
		}
	}
	if digest == nil || digest.IsZero() {
		return ErrPrivacy.Wrapf("registry %q (privacy %s): digest: want the SHA-256 of the off-chain document", def.Name, def.Privacy)
	}
	if def.Privacy == tx.PrivacyPointer {
		if !absoluteURI(uri) {
			return ErrPrivacy.Wrapf("registry %q (privacy pointer): uri %q: want an absolute URI with a host, e.g. https://...", def.Name, uri)
		}
	}
	return nil
}

// absoluteURI reports whether s is an absolute URI with an authority:
// scheme "://" host..., no space or control character (RFC 3986; the
// rest is the agency's).
func absoluteURI(s string) bool {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" || !isLetter(scheme[0]) {
		return false
	}
	for i := 0; i < len(scheme); i++ {
		if c := scheme[i]; !isLetter(c) && !(c >= '0' && c <= '9') && c != '+' && c != '-' && c != '.' {
			return false
		}
	}
	if host, _, _ := strings.Cut(strings.SplitN(strings.SplitN(rest, "?", 2)[0], "#", 2)[0], "/"); host == "" {
		return false
	}
	return !strings.ContainsFunc(s, func(r rune) bool { return r <= ' ' || r == 0x7f || r == utf8.RuneError })
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

func (k *Keeper) create(ctx *module.Context, signer tx.Address, m *tx.MsgRegistryCreate) error {
	kv := k.kv(ctx)
	r, err := k.enabled(kv, m.Registry)
	if err != nil {
		return err
	}
	def := &r.Def
	if !holdsAny(kv, r.Name, def.CreateRoles, signer, ctx.Time.Unix()) {
		return ErrUnauthorized.Wrapf("%s holds no effective grant of %v in %q", signer, def.CreateRoles, r.Name)
	}
	n := records(kv, r.Name)
	if n >= def.Limits.MaxRecords {
		return ErrFull.Wrapf("registry %q holds %d records, its max_records", r.Name, n)
	}
	if err := checkPrivacy(def, m.Digest, m.URI); err != nil {
		return err
	}
	data, err := k.checkData(kv, r, m.Data)
	if err != nil {
		return err
	}
	now := ctx.Time.UTC()
	rec := Record{Registry: r.Name, ID: n + 1, Schema: r.SchemaID, State: def.Initial, Data: data, Digest: m.Digest, URI: m.URI,
		Creator: signer, Created: ctx.Height, CreatedAt: now, StateSince: now, Version: 1}
	putJSON(kv, recordKey(r.Name, rec.ID), &rec)
	kv.Set(countKey(r.Name), u64(rec.ID))
	addTally(kv, r.Name, rec.State, +1)
	kv.Set(inStateKey(r.Name, rec.State, rec.ID), []byte{1})
	setIndexes(kv, r.Name, rec.ID, indexEntries(def, data))
	putJSON(kv, stepKey(r.Name, rec.ID, 1), &Step{Version: 1, Transition: "create", To: rec.State, Signers: []tx.Address{signer},
		Schema: rec.Schema, Height: ctx.Height, Time: now})
	enqueue(kv, def, &rec)
	ctx.Emit("registry.created", "registry", r.Name, "id", module.U64(rec.ID), "state", rec.State, "schema", rec.Schema,
		"creator", signer.String())
	return nil
}

// checkData canonicalises a record's data and checks it against the
// registry's size limit and current schema; it returns the canonical
// bytes.
func (k *Keeper) checkData(kv store.KV, r *Registry, raw []byte) ([]byte, error) {
	data, err := regschema.Canonical(raw)
	if err != nil {
		return nil, ErrInvalidRecord.Wrapf("data: %v", err)
	}
	if max := r.Def.Limits.MaxRecordBytes; uint64(len(data)) > uint64(max) {
		return nil, ErrTooLarge.Wrapf("data: %d bytes canonical, registry %q takes at most %d", len(data), r.Name, max)
	}
	s := k.schema(kv, r.SchemaID)
	if s == nil {
		return nil, module.ErrInternal.Wrapf("registry %q: no stored schema %s", r.Name, r.SchemaID)
	}
	if err := s.Validate(data); err != nil {
		return nil, ErrInvalidRecord.Wrapf("schema %s: %v", r.SchemaID, err)
	}
	return data, nil
}

// noPatch is the patch hash of a transition that sets nothing:
// SHA-256 of the empty string.
var noPatch = tx.Hash32(sha256.Sum256(nil))

// patched applies patch to the record's data: a JSON object whose members
// are properties the transition may set; a member null removes the
// property, any other replaces it (a shallow merge). The result is checked
// like a new record's data. It returns the new data (nil without a patch)
// and the patch hash (SHA-256 of the patch's canonical form, noPatch
// without one).
func (k *Keeper) patched(kv store.KV, r *Registry, t *tx.RegistryTransition, rec *Record, patch json.RawMessage) ([]byte, tx.Hash32, error) {
	if len(patch) == 0 || string(patch) == "null" {
		return nil, noPatch, nil
	}
	canon, err := regschema.Canonical(patch)
	if err != nil {
		return nil, tx.Hash32{}, ErrBadPatch.Wrapf("patch: %v", err)
	}
	pm, err := members(canon)
	if err != nil || len(pm) == 0 {
		return nil, tx.Hash32{}, ErrBadPatch.Wrapf("patch: want a JSON object setting at least one of %v", t.Patch)
	}
	keys := slices.Sorted(maps.Keys(pm))
	for _, key := range keys {
		if !slices.Contains(t.Patch, key) {
			return nil, tx.Hash32{}, ErrBadPatch.Wrapf("patch sets %q: transition %q may set only %v", key, t.Name, t.Patch)
		}
	}
	dm, err := members(rec.Data)
	if err != nil {
		return nil, tx.Hash32{}, module.ErrInternal.Wrapf("record %s/%d: stored data: %v", rec.Registry, rec.ID, err)
	}
	for _, key := range keys {
		if string(pm[key]) == "null" {
			delete(dm, key)
		} else {
			dm[key] = pm[key]
		}
	}
	merged, err := json.Marshal(dm) // keys sorted by encoding/json
	if err != nil {
		return nil, tx.Hash32{}, module.ErrInternal.Wrapf("merge patch: %v", err)
	}
	data, err := k.checkData(kv, r, merged)
	if err != nil {
		return nil, tx.Hash32{}, err
	}
	return data, sha256.Sum256(canon), nil
}

func (k *Keeper) transition(ctx *module.Context, signer tx.Address, m *tx.MsgRegistryTransition) error {
	kv := k.kv(ctx)
	r, err := k.enabled(kv, m.Registry)
	if err != nil {
		return err
	}
	t := r.Def.Transition(m.Transition)
	if t == nil {
		return ErrUnknownTransition.Wrapf("registry %q has no transition %q", r.Name, m.Transition)
	}
	rec := getRecord(kv, r.Name, m.ID)
	if rec == nil {
		return ErrUnknownRecord.Wrapf("registry %q has no record %d", r.Name, m.ID)
	}
	if !slices.Contains(t.From, rec.State) {
		return ErrWrongState.Wrapf("record %s/%d is %s; %s leaves from %v", r.Name, rec.ID, rec.State, t.Name, t.From)
	}
	if m.Version != rec.Version {
		return ErrStaleVersion.Wrapf("record %s/%d is at version %d, not %d", r.Name, rec.ID, rec.Version, m.Version)
	}
	now := ctx.Time.Unix()
	if !holdsAny(kv, r.Name, t.Roles, signer, now) {
		return ErrUnauthorized.Wrapf("%s holds no effective grant of %v in %q for %s", signer, t.Roles, r.Name, t.Name)
	}
	data, hash, err := k.patched(kv, r, t, rec, m.Patch)
	if err != nil {
		return err
	}
	key := approvalKey(r.Name, rec.ID, rec.Version, t.Name, hash)
	var ap Approval
	if !store.GetJSON(kv, key, &ap) {
		ap = Approval{Registry: r.Name, ID: rec.ID, Version: rec.Version, Transition: t.Name, PatchHash: hash, Signers: []tx.Address{}}
	}
	if slices.Contains(ap.Signers, signer) {
		return ErrAlreadyApproved.Wrapf("%s already approved %s of %s/%d at version %d: %d of %d approvals",
			signer, t.Name, r.Name, rec.ID, rec.Version, len(ap.Signers), t.K())
	}
	// An approval counts while its signer still holds one of the roles:
	// one whose grant expired or was revoked since is dropped.
	ap.Signers = slices.DeleteFunc(ap.Signers, func(a tx.Address) bool { return !holdsAny(kv, r.Name, t.Roles, a, now) })
	ap.Signers = append(ap.Signers, signer)
	ap.Needed = t.K()
	if uint32(len(ap.Signers)) < t.K() {
		putJSON(kv, key, &ap)
		ctx.Emit("registry.approved", "registry", r.Name, "id", module.U64(rec.ID), "transition", t.Name,
			"version", module.U64(rec.Version), "signer", signer.String(),
			"approvals", module.U64(uint64(len(ap.Signers))), "needed", module.U64(uint64(t.K())))
		return nil
	}
	after := rec.Data
	if data != nil {
		after = data
	}
	if err := k.checkPredicates(ctx, kv, r, t, rec, after, m.Evidence, signer); err != nil {
		return err
	}
	signers := slices.Clone(ap.Signers)
	slices.SortFunc(signers, func(a, b tx.Address) int { return bytes.Compare(a[:], b[:]) })
	from := rec.State
	k.apply(ctx, kv, r, rec, t.Name, t.To, signers, data)
	ctx.Emit("registry.transitioned", "registry", r.Name, "id", module.U64(rec.ID), "transition", t.Name,
		"from", from, "to", t.To, "version", module.U64(rec.Version))
	return nil
}

// apply moves rec to state to by transition (a transition's name or
// "deadline"), approved by signers, with its data replaced by data when
// not nil (then stamped with the registry's current schema id): state
// counts, the state index, the field indexes, the version, the history,
// the record's pending approvals (all dropped: they name an older
// version) and its deadline.
func (k *Keeper) apply(ctx *module.Context, kv store.KV, r *Registry, rec *Record, transition, to string, signers []tx.Address, data []byte) {
	from := rec.State
	dequeue(kv, r.Name, rec.ID)
	if from != to {
		addTally(kv, r.Name, from, -1)
		addTally(kv, r.Name, to, +1)
		kv.Delete(inStateKey(r.Name, from, rec.ID))
		kv.Set(inStateKey(r.Name, to, rec.ID), []byte{1})
		rec.StateSince = ctx.Time.UTC()
	}
	if data != nil {
		deleteIndexes(kv, r.Name, rec.ID, indexEntries(&r.Def, rec.Data))
		setIndexes(kv, r.Name, rec.ID, indexEntries(&r.Def, data))
		rec.Data, rec.Schema = data, r.SchemaID
	}
	rec.State = to
	rec.Version++
	putJSON(kv, recordKey(r.Name, rec.ID), rec)
	putJSON(kv, stepKey(r.Name, rec.ID, rec.Version), &Step{Version: rec.Version, Transition: transition, From: from, To: to,
		Signers: signers, Schema: rec.Schema, Height: ctx.Height, Time: ctx.Time.UTC()})
	var pending [][]byte
	store.EachPrefix(kv, approvalPrefix(r.Name, rec.ID), func(key, _ []byte) bool {
		pending = append(pending, bytes.Clone(key))
		return true
	})
	for _, key := range pending {
		kv.Delete(key)
	}
	enqueue(kv, &r.Def, rec)
}

// enqueue queues the deadline of rec's state, if it has one: due its
// deadline after the record entered the state.
func enqueue(kv store.KV, def *tx.RegistryDef, rec *Record) {
	st := def.State(rec.State)
	if st == nil || st.Deadline == nil {
		return
	}
	due := rec.StateSince.Add(time.Duration(st.Deadline.Seconds()) * time.Second).UTC()
	d := Deadline{Registry: rec.Registry, ID: rec.ID, Due: due, State: rec.State, Version: rec.Version, To: st.Deadline.To}
	putJSON(kv, deadlineKey(due, rec.Registry, rec.ID), &d)
	kv.Set(dueKey(rec.Registry, rec.ID), dueBytes(due))
}

// dequeue removes the record's queued deadline, if any.
func dequeue(kv store.KV, name string, id uint64) {
	b := kv.Get(dueKey(name, id))
	if b == nil {
		return
	}
	key := append(append([]byte{prefixDeadline}, b...), recordKey(name, id)[1:]...)
	kv.Delete(key)
	kv.Delete(dueKey(name, id))
}
