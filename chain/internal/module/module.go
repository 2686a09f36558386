// Package module defines what a chain module is to the application: its
// context (block height and time, the state it may touch, events), its
// result codes and its query entry point. Modules are wired explicitly, in a
// fixed order, by the app package.
package module

import (
	"encoding/json"
	"strconv"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"

	"github.com/citychain/citychain/chain/internal/store"
	"github.com/citychain/citychain/chain/tx"
)

// Context is what a state transition sees: the block it runs in and the
// state store of the transaction (or block) being executed. It carries no
// wall clock: Time is the block time agreed by consensus.
type Context struct {
	Height  int64
	Time    time.Time
	ChainID string
	store   store.KV
	events  []abci.Event
}

// NewContext returns a context over kv for the block at height and time.
func NewContext(kv store.KV, chainID string, height int64, t time.Time) *Context {
	return &Context{Height: height, Time: t, ChainID: chainID, store: kv}
}

// Store returns the module's own key space: the state under its one-byte
// prefix.
func (c *Context) Store(prefix byte) store.KV { return store.NewPrefixed(c.store, []byte{prefix}) }

// KV returns the whole state; only the app uses it.
func (c *Context) KV() store.KV { return c.store }

// WithStore returns a copy of the context over another store with no events.
func (c *Context) WithStore(kv store.KV) *Context {
	return &Context{Height: c.Height, Time: c.Time, ChainID: c.ChainID, store: kv}
}

// Emit records an event. Attributes are key/value pairs, in order.
func (c *Context) Emit(typ string, kv ...string) {
	ev := abci.Event{Type: typ}
	for i := 0; i+1 < len(kv); i += 2 {
		ev.Attributes = append(ev.Attributes, abci.EventAttribute{Key: kv[i], Value: kv[i+1], Index: true})
	}
	c.events = append(c.events, ev)
}

// Events returns the events emitted so far.
func (c *Context) Events() []abci.Event { return c.events }

// AddEvents appends events from a nested context.
func (c *Context) AddEvents(evs []abci.Event) { c.events = append(c.events, evs...) }

// U64 formats an integer attribute.
func U64(v uint64) string { return strconv.FormatUint(v, 10) }

// Module is one chain module.
type Module interface {
	// Name is the module's name: the codespace of its errors, the first part
	// of its message types and of its query paths.
	Name() string
	// InitGenesis loads the module's section of the genesis app state.
	InitGenesis(ctx *Context, raw json.RawMessage) error
	// Exporter writes the module's state back as its genesis section.
	Exporter
	// Handle executes one message routed to the module, signed by signer.
	Handle(ctx *Context, signer tx.Address, msg tx.Msg) error
	// Query answers a read-only query on committed state.
	Query(q *Query) (*QueryResult, error)
}

// EndBlocker is implemented by modules with work at the end of each block
// (clearing a market at gate closure, settling intervals...).
type EndBlocker interface {
	EndBlock(ctx *Context) error
}

// Query is a read request: Path is the part after "/<module>/", Data the
// request parameters (JSON or a plain key) and Store the committed state at
// the requested height.
type Query struct {
	Path   string
	Data   []byte
	Height int64
	Store  func(prefix byte) store.KV
}

// ReadContext is a read-only context over the query's whole state, for a
// query that reads other modules through their keepers (a balance through
// bank). It reads one module's keys at a time: writes panic, and so does
// iteration across modules.
func (q *Query) ReadContext() *Context {
	return NewContext(rootView{q.Store}, "", q.Height, time.Time{})
}

// rootView is a read-only whole-state view over a query's per-module stores.
type rootView struct{ sub func(prefix byte) store.KV }

var _ store.KV = rootView{}

func (r rootView) Get(key []byte) []byte {
	if len(key) == 0 {
		return nil
	}
	return r.sub(key[0]).Get(key[1:])
}
func (r rootView) Has(key []byte) bool { return r.Get(key) != nil }
func (rootView) Set(_, _ []byte)       { panic("module: query state is read-only") }
func (rootView) Delete(_ []byte)       { panic("module: query state is read-only") }
func (rootView) Iterator(_, _ []byte) store.Iterator {
	panic("module: the query view does not iterate across modules")
}

// QueryResult is a query's answer. When the answer is the value of one state
// key, Key names it (the full key, with the module prefix) so the app can
// attach a proof; Value is the JSON answer returned to the client.
type QueryResult struct {
	Key   []byte
	Value []byte
}

// JSON marshals v as a query result without a provable key.
func JSON(v any) (*QueryResult, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	return &QueryResult{Value: b}, nil
}

// Exporter is the export half of a module's genesis. ExportGenesis returns the section whose InitGenesis, on
// an empty store and after the modules before it in the module list, writes
// exactly the keys and values the module holds in ctx's state: an exported
// chain re-imported has the same state. A nil section means the module
// holds nothing InitGenesis would not write without one.
type Exporter interface {
	ExportGenesis(ctx *Context) (json.RawMessage, error)
}
