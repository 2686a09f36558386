package api

import (
	"bufio"
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

func TestReads(t *testing.T) {
	c := getChain(t)
	ts := startServer(t, c, nil)
	alice := c.key(t, "alice").Address.String()

	t.Run("balance with proof", func(t *testing.T) {
		var r struct {
			Height int64
			Result struct{ Address, Amount string }
			Proof  *Proof
		}
		ts.getJSON(t, "/v1/accounts/"+alice+"/balances/ukrw?prove=true", &r)
		if r.Result.Amount != "1000000000000ukrw" || r.Height < 1 {
			t.Fatalf("got %+v, want 1000000000000ukrw at a height", r)
		}
		if r.Proof == nil || !r.Proof.Verified || r.Proof.HeaderHeight != r.Height+1 || r.Proof.ICS23 == "" || r.Proof.SignedPower == 0 {
			t.Fatalf("got proof %+v, want verified against header height+1", r.Proof)
		}
	})
	t.Run("absent balance proves zero", func(t *testing.T) {
		var r StateResponse
		ts.getJSON(t, "/v1/accounts/"+strings.Repeat("ab", 20)+"/balances/uscn?prove=true", &r)
		if r.Proof == nil || !r.Proof.Verified || r.Proof.Value != "" {
			t.Fatalf("got %+v, want a verified proof of absence", r.Proof)
		}
	})
	for _, tc := range []struct{ path, want string }{
		{"/v1/accounts/" + alice, `"sequence"`},
		{"/v1/accounts/" + alice + "/roles", `"result"`},
		{"/v1/accounts/" + alice + "/balances", `ukrw`},
		{"/v1/accounts/" + alice + "/devices", `"inv-test"`},
		{"/v1/supply", `uscn`},
		{"/v1/supply/uscn?prove=true", `"verified": true`},
		{"/v1/devices/inv-test", `"solar_inverter"`},
		{"/v1/devices/inv-test?prove=true", `"verified": true`},
		{"/v1/devices/inv-test/deltas", `"items"`},
		{"/v1/metering/params", `interval_seconds`},
		{"/v1/metering/totals?kind=energy_wh", `"items"`},
		{"/v1/market/params", `grid_fee_bps`},
		{"/v1/market/clearings", `"items"`},
		{"/v1/market/intervals/5/book", `"offers"`},
		{"/v1/market/intervals/5/settlement", `"trades"`},
		{"/v1/mileage/budget", `budget_address`},
		{"/v1/mileage/accounts/" + alice + "/history", `"items"`},
		{"/v1/status", `"chain_id": "citychain-devnet"`},
		{"/v1/validators", `voting_power`},
		{"/v1/blocks?limit=3", `"next_cursor"`},
		{"/v1/blocks/latest", `"app_hash"`},
		{"/v1/blocks/1", `"height": 1`},
		{"/readyz", `"ready"`},
		{"/healthz", `ok`},
		{"/openapi.json", `"openapi": "3.1.0"`},
		{"/docs", `/v1/accounts/{address}/balances/{denom}`},
		{"/metrics", `citychain_api_requests_total`},
		{"/", `<html`},
	} {
		t.Run(tc.path, func(t *testing.T) {
			code, _, b := ts.do(t, "GET", tc.path, nil)
			if code != 200 || !contains(string(b), tc.want) {
				t.Fatalf("GET %s: got %d %.400s, want 200 containing %s", tc.path, code, b, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		path, field string
		code        int
	}{
		{"/v1/accounts/xyz", "address", 400},
		{"/v1/accounts/" + alice + "/balances/U$D", "denom", 400},
		{"/v1/devices/NOPE!", "id", 400},
		{"/v1/devices/inv-none", "", 404},
		{"/v1/devices/inv-test?prove=maybe", "prove", 400},
		{"/v1/blocks/abc", "height", 400},
		{"/v1/blocks/99999999", "", 404},
		{"/v1/blocks?cursor=!!!", "cursor", 400},
		{"/v1/market/intervals/x/book", "interval", 400},
		{"/v1/metering/totals?kind=gas", "kind", 400},
		{"/v1/devices/inv-test/deltas?from=10&to=1", "from", 400},
		{"/v1/txs/zz", "hash", 400},
		{"/v1/txs/" + strings.Repeat("0", 64), "", 404},
		{"/v1/devices/inv-test/readings", "", 503},
		{"/v1/solar", "", 503},
		{"/v1/nothing", "", 404},
	} {
		t.Run("problem "+tc.path, func(t *testing.T) {
			code, h, b := ts.do(t, "GET", tc.path, nil)
			p := wantProblem(t, tc.path, code, h, b, tc.code)
			if p.Field != tc.field {
				t.Fatalf("GET %s: got field %q, want %q (%s)", tc.path, p.Field, tc.field, b)
			}
			if tc.field != "" && p.Expected == "" {
				t.Fatalf("GET %s: got no expected in %s", tc.path, b)
			}
		})
	}
}

func TestPagination(t *testing.T) {
	c := getChain(t)
	ts := startServer(t, c, nil)
	var seen []int64
	path := "/v1/blocks?limit=2"
	for range 3 {
		var p Page[Block]
		ts.getJSON(t, path, &p)
		for _, b := range p.Items {
			seen = append(seen, b.Height)
		}
		if p.NextCursor == "" {
			break
		}
		path = "/v1/blocks?limit=2&cursor=" + p.NextCursor
	}
	if len(seen) != 6 || !sort.SliceIsSorted(seen, func(i, j int) bool { return seen[i] > seen[j] }) || seen[0]-seen[5] != 5 {
		t.Fatalf("got heights %v, want 6 consecutive descending", seen)
	}
}

// signedTransfer builds alice -> bob at alice's next sequence (+ skip).
func signedTransfer(t *testing.T, c *testChain, amount uint64, skip uint64) []byte {
	t.Helper()
	nc, _ := client.New(c.rpc)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	alice, bob := c.key(t, "alice"), c.key(t, "bob")
	acc, err := nc.Account(ctx, alice.Address)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := tx.Build(alice.Private, "citychain-devnet", acc.Sequence+skip, "api test",
		&tx.MsgSend{To: bob.Address, Amount: tx.Coin{Amount: amount, Denom: tx.DenomKRW}})
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestSubmitAndEvents(t *testing.T) {
	c := getChain(t)
	ts := startServer(t, c, nil)
	bob := c.key(t, "bob").Address.String()

	// Stream bank transfers touching bob.
	req, _ := http.NewRequest("GET", ts.url+"/v1/events?type=bank&account="+bob, nil)
	req.Header.Set("X-API-Key", testKey)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := http.DefaultClient.Do(req.WithContext(ctx))
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != 200 || res.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("events: got %d %s, want 200 text/event-stream", res.StatusCode, res.Header.Get("Content-Type"))
	}
	sc := bufio.NewScanner(res.Body)
	sc.Scan() // "retry:" — the stream is open once the first line arrives

	raw := signedTransfer(t, c, 1234, 0)
	body, _ := json.Marshal(SubmitRequest{TxBase64: base64.StdEncoding.EncodeToString(raw)})
	code, h, b := ts.do(t, "POST", "/v1/txs", strings.NewReader(string(body)), "Content-Type", "application/json")
	var st TxStatus
	if err := json.Unmarshal(b, &st); code != http.StatusAccepted || err != nil || st.Status != "pending" || h.Get("Location") != "/v1/txs/"+st.Hash {
		t.Fatalf("submit: got %d %s, want 202 pending with Location", code, b)
	}
	waitFor(t, "the transfer to commit", 30*time.Second, func() bool {
		ts.getJSON(t, "/v1/txs/"+st.Hash, &st)
		return st.Status == "committed"
	})
	if st.Height < 1 || len(st.Events) == 0 {
		t.Fatalf("got %+v, want committed with height and events", st)
	}

	var ev Event
	for sc.Scan() {
		line := sc.Text()
		if d, ok := strings.CutPrefix(line, "data: "); ok {
			if err := json.Unmarshal([]byte(d), &ev); err != nil {
				t.Fatal(err)
			}
			break
		}
	}
	if ev.Type != "bank.transfer" || ev.Attributes["to"] != bob || ev.Attributes["amount"] != "1234ukrw" || ev.Tx != st.Hash {
		t.Fatalf("got event %+v, want bank.transfer of 1234ukrw to bob in tx %s", ev, st.Hash)
	}

	// A transaction with a future sequence: CheckTx refuses it.
	bad := signedTransfer(t, c, 1, 5)
	body, _ = json.Marshal(map[string]string{"tx_hex": fmt.Sprintf("%x", bad)})
	code, h, b = ts.do(t, "POST", "/v1/txs", strings.NewReader(string(body)))
	p := wantProblem(t, "rejected tx", code, h, b, http.StatusUnprocessableEntity)
	if !tx.CodeAuthWrongSequence.Matches(p.Codespace, p.Code) || p.Hash == "" || p.Log == "" {
		t.Fatalf("got %+v, want %v with hash and log", p, tx.CodeAuthWrongSequence)
	}
	ts.getJSON(t, "/v1/txs/"+p.Hash, &st)
	if st.Status != "rejected" || !tx.CodeAuthWrongSequence.Matches(st.Codespace, st.Code) {
		t.Fatalf("got %+v, want rejected %v", st, tx.CodeAuthWrongSequence)
	}
}
