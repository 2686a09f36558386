package credentials

import (
	"slices"
	"time"

	"github.com/citychain/citychain/chain/internal/module"
	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (k *Keeper) registerSchema(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialRegisterSchema) error {
	if err := k.requireAccreditor(ctx, signer); err != nil {
		return err
	}
	kv := k.kv(ctx)
	if kv.Has(schemaKey(m.ID)) {
		return ErrSchemaExists.Wrapf("%s", m.ID)
	}
	s := Schema{ID: m.ID, Name: m.Name, Claims: slices.Clone(m.Claims), By: signer, Height: ctx.Height, Time: ctx.Time.UTC()}
	putJSON(kv, schemaKey(s.ID), &s)
	for _, c := range s.Claims {
		kv.Set(claimKey(c, s.ID), []byte{1})
	}
	c := counters(kv)
	c.Schemas++
	putJSON(kv, countersKey, &c)
	ctx.Emit("credentials.schema_registered", "schema", s.ID, "claims", module.U64(uint64(len(s.Claims))))
	return nil
}

func (k *Keeper) accredit(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialAccredit) error {
	if err := k.requireAccreditor(ctx, signer); err != nil {
		return err
	}
	kv := k.kv(ctx)
	if !kv.Has(schemaKey(m.Schema)) {
		return ErrUnknownSchema.Wrapf("%s", m.Schema)
	}
	w := AccreditationWindow{From: m.From.UTC(), Until: m.Until.UTC(), By: signer, Height: ctx.Height}
	a := accreditation(kv, m.Issuer, m.Schema)
	isNew := a == nil
	if isNew {
		a = &Accreditation{Issuer: m.Issuer, Schema: m.Schema}
	}
	for _, o := range a.Windows {
		if w.Overlaps(o) {
			return ErrWindowOverlap.Wrapf("window from %s of %s for %s overlaps the window from %s", formatTime(w.From), m.Issuer, m.Schema, formatTime(o.From))
		}
	}
	if max := k.Params(ctx).MaxWindows; uint64(len(a.Windows)) >= max {
		return ErrTooManyWindows.Wrapf("%s for %s has %d windows, the maximum", m.Issuer, m.Schema, len(a.Windows))
	}
	// Windows stay in start order (they do not overlap, so starts differ).
	i, _ := slices.BinarySearchFunc(a.Windows, w.From, func(o AccreditationWindow, t time.Time) int { return o.From.Compare(t) })
	a.Windows = slices.Insert(a.Windows, i, w)
	putJSON(kv, accreditationKey(a.Issuer, a.Schema), a)
	if isNew {
		c := counters(kv)
		c.Accreditations++
		putJSON(kv, countersKey, &c)
	}
	until := ""
	if !w.Until.IsZero() {
		until = formatTime(w.Until)
	}
	ctx.Emit("credentials.accredited", "issuer", m.Issuer.String(), "schema", m.Schema, "from", formatTime(w.From), "until", until)
	return nil
}

func (k *Keeper) withdraw(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialWithdraw) error {
	if err := k.requireAccreditor(ctx, signer); err != nil {
		return err
	}
	kv := k.kv(ctx)
	a := accreditation(kv, m.Issuer, m.Schema)
	var w *AccreditationWindow
	if a != nil {
		w = a.ActiveAt(ctx.Time)
	}
	if w == nil {
		return ErrNoOpenWindow.Wrapf("%s for %s at %s", m.Issuer, m.Schema, formatTime(ctx.Time))
	}
	w.Until = ctx.Time.UTC()
	w.WithdrawnHeight = ctx.Height
	putJSON(kv, accreditationKey(a.Issuer, a.Schema), a)
	ctx.Emit("credentials.withdrawn", "issuer", m.Issuer.String(), "schema", m.Schema, "from", formatTime(w.From), "until", formatTime(w.Until))
	return nil
}

// claimKnown reports whether some registered schema carries claim.
func claimKnown(kv store.KV, claim string) bool {
	found := false
	store.EachPrefix(kv, claimPrefix(claim), func(_, _ []byte) bool {
		found = true
		return false
	})
	return found
}

func (k *Keeper) registerVerifier(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialRegisterVerifier) error {
	if err := k.requireAccreditor(ctx, signer); err != nil {
		return err
	}
	kv := k.kv(ctx)
	if kv.Has(verifierKey(m.ID)) {
		return ErrVerifierExists.Wrapf("%s", m.ID)
	}
	for i, c := range m.Claims {
		if !claimKnown(kv, c) {
			return ErrUnknownClaim.Wrapf("claims[%d]: %q is a claim of no registered schema", i, c)
		}
	}
	v := Verifier{ID: m.ID, Key: slices.Clone(m.Key), Name: m.Name, Purpose: m.Purpose, Claims: slices.Clone(m.Claims),
		Status: tx.VerifierActive, By: signer, Height: ctx.Height, Time: ctx.Time.UTC()}
	putJSON(kv, verifierKey(v.ID), &v)
	c := counters(kv)
	c.Verifiers++
	putJSON(kv, countersKey, &c)
	ctx.Emit("credentials.verifier_registered", "verifier", v.ID, "key", v.Key.String())
	return nil
}

func (k *Keeper) deregisterVerifier(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialDeregisterVerifier) error {
	if err := k.requireAccreditor(ctx, signer); err != nil {
		return err
	}
	kv := k.kv(ctx)
	v := verifier(kv, m.ID)
	switch {
	case v == nil:
		return ErrUnknownVerifier.Wrapf("%s", m.ID)
	case v.Status == tx.VerifierDeregistered:
		return ErrVerifierDeregistered.Wrapf("%s, at height %d", m.ID, v.DeregisteredHeight)
	}
	v.Status, v.DeregisteredHeight = tx.VerifierDeregistered, ctx.Height
	putJSON(kv, verifierKey(v.ID), v)
	c := counters(kv)
	c.Deregistered++
	putJSON(kv, countersKey, &c)
	ctx.Emit("credentials.verifier_deregistered", "verifier", v.ID)
	return nil
}

func (k *Keeper) anchor(ctx *module.Context, signer tx.Address, m *tx.MsgCredentialAnchor) error {
	kv := k.kv(ctx)
	a := accreditation(kv, signer, m.Schema)
	if a == nil || a.ActiveAt(ctx.Time) == nil {
		return ErrNotAccredited.Wrapf("%s for %s at %s", signer, m.Schema, formatTime(ctx.Time))
	}
	c := counters(kv)
	c.Anchors++
	c.Anchored += uint64(m.Count)
	an := Anchor{ID: c.Anchors, Issuer: signer, Schema: m.Schema, Root: m.Root, Count: m.Count, Height: ctx.Height, Time: ctx.Time.UTC()}
	putJSON(kv, anchorKey(an.ID), &an)
	putJSON(kv, countersKey, &c)
	ctx.Emit("credentials.anchored", "id", module.U64(an.ID), "issuer", signer.String(), "schema", m.Schema,
		"count", module.U64(uint64(m.Count)), "root", m.Root.String())
	return nil
}
