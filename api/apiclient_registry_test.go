package api

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/api/apiclient"
	"github.com/citychain/citychain/chain/tx"
)

// TestGoClientRegistry: the generic registry client reads the test
// registry (registryFixture) through the API, proofs verified, and
// validates records.
func TestGoClientRegistry(t *testing.T) {
	c := getChain(t)
	w := registryFixture(t, c)
	ts := startServer(t, c, nil)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cl := apiclient.New(ts.url, apiclient.WithAPIKey(testKey))
	reg := cl.Registry(apiRegistry)

	def, err := reg.Def(ctx, true)
	if err != nil || def.Proof == nil || !def.Proof.Verified || def.Result.Owner != w.owner.String() || def.Result.SchemaID != w.schemaID ||
		def.Result.Def.Initial != "applied" || len(def.Result.Def.Transitions) != 3 || def.Result.Def.Transitions[1].Approvals != 2 {
		t.Fatalf("def: got %+v, %v", def, err)
	}
	n, err := reg.Count(ctx)
	if err != nil || n.Records != 3 || len(n.States) != 3 || n.States[1].State != "granted" || n.States[1].Records != 1 {
		t.Fatalf("count: got %+v, %v", n, err)
	}
	page, err := reg.Records(ctx, apiclient.RecordsQuery{State: "applied"})
	if err != nil || len(page.Items) != 2 || page.Items[0].ID != 1 || page.Items[1].ID != 2 {
		t.Fatalf("records: got %+v, %v", page, err)
	}
	page, err = reg.Records(ctx, apiclient.RecordsQuery{Limit: 1, After: 1})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != 2 || page.NextAfter != "2" {
		t.Fatalf("records after 1: got %+v, %v", page, err)
	}
	page, err = reg.Records(ctx, apiclient.RecordsQuery{Limit: 1, Cursor: page.NextCursor})
	if err != nil || len(page.Items) != 1 || page.Items[0].ID != 3 {
		t.Fatalf("records from the cursor: got %+v, %v", page, err)
	}
	rec, err := reg.Record(ctx, 3, true)
	if err != nil || rec.Proof == nil || !rec.Proof.Verified || rec.Result.State != "granted" || rec.Result.Version != 2 || rec.Result.Creator != w.clerk.String() {
		t.Fatalf("record: got %+v, %v", rec, err)
	}
	var data struct {
		Stall string `json:"stall"`
	}
	if err := json.Unmarshal(rec.Result.Data, &data); err != nil || data.Stall != "Hongdae playground 1" {
		t.Fatalf("record data %s: %v", rec.Result.Data, err)
	}
	hist, err := reg.History(ctx, 3)
	if err != nil || len(hist) != 2 || hist[1].Transition != "grant" || len(hist[1].Signers) != 2 {
		t.Fatalf("history: got %+v, %v", hist, err)
	}
	apps, err := reg.Approvals(ctx, 2)
	if err != nil || len(apps) != 1 || apps[0].Needed != 2 || !slices.Equal(apps[0].Signers, []string{w.officer1.String()}) {
		t.Fatalf("approvals: got %+v, %v", apps, err)
	}
	ids, err := reg.Index(ctx, "district", "mapo", apiclient.IndexQuery{})
	if err != nil || !slices.Equal(ids.Items, []uint64{1, 3}) {
		t.Fatalf("index: got %+v, %v", ids, err)
	}
	entry, err := reg.IndexEntry(ctx, "district", "mapo", 2, true)
	if err != nil || entry.Result.Present || entry.Proof == nil || !entry.Proof.Verified || entry.Proof.Value != "" {
		t.Fatalf("index entry: got %+v, %v; want absent, proven", entry, err)
	}
	grants, err := reg.Grants(ctx, "", "", 0)
	if err != nil || len(grants.Items) != 3 || grants.Items[0].Role != "clerk" || grants.Items[0].Granter != w.owner.String() {
		t.Fatalf("grants: got %+v, %v", grants, err)
	}
	g, err := reg.Grant(ctx, "officer", w.officer1.String(), true)
	if err != nil || g.Result.Depth != 1 || g.Proof == nil || !g.Proof.Verified {
		t.Fatalf("grant: got %+v, %v", g, err)
	}

	v, err := reg.Validate(ctx, map[string]any{"holder": w.clerk.String(), "stall": "Seochon 5", "district": "jongno", "fee_krw": 1000})
	if err != nil || !v.Valid || v.SchemaID != w.schemaID || !strings.HasPrefix(string(v.Canonical), `{"district":"jongno"`) {
		t.Fatalf("validate: got %+v, %v", v, err)
	}
	v, err = reg.Validate(ctx, json.RawMessage(`{"holder":"`+w.clerk.String()+`","stall":"x","district":"busan","fee_krw":1}`))
	if err != nil || v.Valid || v.Path != "/district" || v.Error == "" || v.Codespace != tx.CodespaceRegistry || v.Code != tx.CodeRegistryInvalidRecord.Code {
		t.Fatalf("validate a bad district: got %+v, %v; want invalid at /district, registry code 24", v, err)
	}
	var p *apiclient.Problem
	if _, err := cl.Registry("no_such_registry").Validate(ctx, map[string]any{}); !errors.As(err, &p) || p.Status != 404 {
		t.Fatalf("validate in an unknown registry: got %v, want a 404 problem", err)
	}
	if _, err := cl.Registry("no_such_registry").Count(ctx); !errors.As(err, &p) || p.Status != 404 {
		t.Fatalf("count of an unknown registry: got %v, want a 404 problem", err)
	}

	doc, err := reg.OpenAPI(ctx)
	var d struct {
		OpenAPI    string `json:"openapi"`
		Components struct {
			Schemas map[string]json.RawMessage `json:"schemas"`
		} `json:"components"`
	}
	if err == nil {
		err = json.Unmarshal(doc, &d)
	}
	if err != nil || d.OpenAPI != "3.1.0" || d.Components.Schemas["ApiPermitsRecord"] == nil || d.Components.Schemas["ApiPermitsCreateMsg"] == nil {
		t.Fatalf("openapi: %v, got %.300s", err, doc)
	}

	regs, err := cl.Registries(ctx, "", "", 1000)
	if err != nil || !slices.ContainsFunc(regs.Items, func(r apiclient.Registry) bool { return r.Name == apiRegistry }) {
		t.Fatalf("registries: got %+v, %v", regs, err)
	}
	props, err := cl.RegistryProposals(ctx, "", "", 0)
	if err != nil || !slices.ContainsFunc(props.Items, func(p apiclient.RegistryProposal) bool { return p.ID == w.next.String() }) {
		t.Fatalf("proposals: got %+v, %v", props, err)
	}
	prop, err := cl.RegistryProposal(ctx, w.next.String(), true)
	if err != nil || prop.Result.Def.Version != "1.1" || prop.Proof == nil || !prop.Proof.Verified {
		t.Fatalf("proposal: got %+v, %v", prop, err)
	}
	sch, err := cl.RegistrySchema(ctx, w.schemaID, true)
	var schema struct {
		AdditionalProperties *bool `json:"additionalProperties"`
	}
	if err == nil {
		err = json.Unmarshal(sch.Result, &schema)
	}
	if err != nil || schema.AdditionalProperties == nil || *schema.AdditionalProperties || sch.Proof == nil || !sch.Proof.Verified {
		t.Fatalf("schema: got %+v, %v", sch, err)
	}
}
