package registry_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/citychain/citychain/chain/app/apptest"
	"github.com/citychain/citychain/chain/tx"
)

// TestIndexes (G6): the ids of the records whose indexed field holds a
// value are paged in id order; whether one record is indexed under a
// value is answered with a proof of presence or of absence; integer
// fields are indexed by decimal value; records of a state are paged
// through the state index; the records query pages too.
func TestIndexes(t *testing.T) {
	c := trustChain(t)
	const reg = "trust_filings"
	for i := range 7 {
		k := petOwner
		if i%3 == 2 {
			k = petOwner2
		}
		data := strings.Replace(filing(fmt.Sprintf("Trust %d", i), k), `"scholarship"`, []string{`"scholarship"`, `"welfare"`}[i%2], 1)
		res := c.ok("file", petOwner, &tx.MsgRegistryCreate{Registry: reg, Data: json.RawMessage(data), Digest: &tx.Hash32{byte(i + 1)}})
		if id, _ := apptest.Attr(res.Events, "registry.created", "id"); id != fmt.Sprint(i+1) {
			t.Fatalf("record id %s, want %d", id, i+1)
		}
	}
	// Trustee petOwner: records 1, 2, 4, 5, 7; paged by two.
	var got []uint64
	req := tx.RegistryIndexRequest{Registry: reg, Field: "trustee", Value: petOwner.Addr.String(), Limit: 2}
	pages := 0
	for {
		page := query[tx.RegistryIDPage](c, "index", req)
		got = append(got, page.IDs...)
		pages++
		if page.Next == 0 {
			break
		}
		req.After = page.Next
	}
	if !slices.Equal(got, []uint64{1, 2, 4, 5, 7}) || pages != 3 {
		t.Fatalf("trustee index: %v in %d pages", got, pages)
	}
	if page := query[tx.RegistryIDPage](c, "index", tx.RegistryIndexRequest{Registry: reg, Field: "purpose", Value: "welfare"}); !slices.Equal(page.IDs, []uint64{2, 4, 6}) {
		t.Fatalf("purpose index: %v", page.IDs)
	}
	entry := func(value string, id uint64) tx.RegistryIndexEntryRequest {
		return tx.RegistryIndexEntryRequest{Registry: reg, Field: "trustee", Value: value, ID: id}
	}
	in := c.raw("index_entry", entry(petOwner.Addr.String(), 4), true)
	apptest.RequireOK(t, "index entry present", in)
	c.proven("index entry present", in)
	out := c.raw("index_entry", entry(petOwner.Addr.String(), 3), true)
	apptest.RequireCode(t, "index entry absent", out, tx.CodeAppNotFound)
	c.proven("index entry absent", out)
	// A refusal moves the index with the record: filing 3 is refused and
	// stays indexed (its data did not change); the state index follows.
	c.move(officer, reg, 3, "refuse", "")
	byState := func(state string) []uint64 {
		var out []uint64
		r := tx.RegistryRecordsRequest{Registry: reg, State: state, Limit: 2}
		for {
			page := query[tx.RegistryRecordPage](c, "records", r)
			for _, rec := range page.Records {
				if rec.State != state {
					t.Fatalf("records in %s: record %d is %s", state, rec.ID, rec.State)
				}
				out = append(out, rec.ID)
			}
			if page.Next == 0 {
				return out
			}
			r.After = page.Next
		}
	}
	if a, r := byState("applied"), byState("refused"); !slices.Equal(a, []uint64{1, 2, 4, 5, 6, 7}) || !slices.Equal(r, []uint64{3}) {
		t.Fatalf("by state: applied %v refused %v", a, r)
	}
	page := query[tx.RegistryRecordPage](c, "records", tx.RegistryRecordsRequest{Registry: reg, After: 5})
	if len(page.Records) != 2 || page.Records[0].ID != 6 || page.Next != 0 {
		t.Fatalf("records after 5: %+v", page)
	}
	// Bad requests.
	for _, r := range []struct {
		path string
		req  any
	}{
		{"index", tx.RegistryIndexRequest{Registry: reg, Field: "trust_name", Value: "x"}},
		{"index", tx.RegistryIndexRequest{Registry: reg, Field: "trustee", Value: "x", Limit: tx.MaxListLimit + 1}},
		{"records", tx.RegistryRecordsRequest{Registry: reg, State: "lost"}},
		{"grants", tx.RegistryPageRequest{Registry: reg, After: "moj_officer"}},
	} {
		apptest.RequireCode(t, r.path, c.raw(r.path, r.req, false), tx.CodeAppBadQuery)
	}
	apptest.RequireCode(t, "an unknown registry's count", c.raw("count", tx.RegistryRequest{Name: "nope"}, false), tx.CodeAppNotFound)
}

// TestIntegerIndex: an integer field is indexed by its decimal value,
// and the index query takes the decimal form (leading zeros or a sign
// normalised, anything else refused).
func TestIntegerIndex(t *testing.T) {
	c := newChain(t, false)
	def := edit(t, petDef, func(d map[string]any) { d["indexes"] = []any{"weight_kg", "owner"} })
	c.enable(district, def, false)
	c.grant(district, "pet_registration", "vet", vet)
	for i, w := range []string{"7", "12", "7"} {
		c.create(vet, "pet_registration", strings.Replace(petData(fmt.Sprintf("41000000000000%d", i), petOwner.Addr.String()), `"mapo"`, `"mapo","weight_kg":`+w, 1))
	}
	for _, v := range []string{"7", "+7", "007"} {
		page := query[tx.RegistryIDPage](c, "index", tx.RegistryIndexRequest{Registry: "pet_registration", Field: "weight_kg", Value: v})
		if !slices.Equal(page.IDs, []uint64{1, 3}) {
			t.Fatalf("weight %s: %v", v, page.IDs)
		}
	}
	apptest.RequireCode(t, "a word for an integer", c.raw("index", tx.RegistryIndexRequest{Registry: "pet_registration", Field: "weight_kg", Value: "seven"}, false),
		tx.CodeAppBadQuery)
}

// TestLimits (G6): a valid record larger than the registry's
// max_record_bytes is refused, as is a patch that makes one larger; the
// registry holds at most max_records records.
func TestLimits(t *testing.T) {
	c := newChain(t, false)
	def := edit(t, petDef, func(d map[string]any) {
		l := d["limits"].(map[string]any)
		l["max_record_bytes"], l["max_records"] = json.Number("200"), json.Number("2")
	})
	c.enable(district, def, false)
	c.grant(district, "pet_registration", "vet", vet)
	c.grant(district, "pet_registration", "inspector", inspector)
	c.grant(district, "pet_registration", "district_officer", officer)
	short := `{"microchip_id":"410000000000001","species":"cat","name":"Nabi","owner":"` + petOwner.Addr.String() + `","district":"jongno"}`
	long := strings.Replace(short, `"Nabi"`, `"`+strings.Repeat("나비", 32)+`"`, 1) // 64 code points, 192 bytes: valid, too large
	c.fail("a valid record of 300 bytes", vet, &tx.MsgRegistryCreate{Registry: "pet_registration", Data: json.RawMessage(long)}, tx.CodeRegistryTooLarge, "200")
	id := c.create(vet, "pet_registration", short)
	c.fail("a patch that makes it too large", inspector, c.moveMsg("pet_registration", id, "inspect",
		`{"tags":["`+strings.Repeat("x", 16)+`","`+strings.Repeat("y", 16)+`","`+strings.Repeat("z", 16)+`","`+strings.Repeat("w", 16)+`"]}`),
		tx.CodeRegistryTooLarge)
	c.move(inspector, "pet_registration", id, "inspect", `{"weight_kg":4}`)
	c.move(inspector, "pet_registration", id, "inspect", `{"weight_kg":null}`) // null removes an optional property
	if rec := c.record("pet_registration", id); strings.Contains(string(rec.Data), "weight_kg") || rec.Version != 3 {
		t.Fatalf("after removing the weight: %s", rec.Data)
	}
	c.fail("a patch removing a required property", officer, c.moveMsg("pet_registration", id, "transfer", `{"owner":null}`),
		tx.CodeRegistryInvalidRecord, "owner")
	c.create(vet, "pet_registration", strings.Replace(short, "410000000000001", "410000000000002", 1))
	c.fail("a third record", vet, &tx.MsgRegistryCreate{Registry: "pet_registration", Data: json.RawMessage(strings.Replace(short, "410000000000001", "410000000000003", 1))},
		tx.CodeRegistryFull)
}
