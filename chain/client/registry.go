package client

import (
	"context"
	"encoding/json"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the registry module (see read.go): registries defined
// as data, their proposals, schemas, records, histories, pending
// approvals, indexes and role grants, decoded into the chain's types
// (chain/tx). The provable reads (a registry, a proposal, a schema, a
// record, an index entry, a grant) take ReadOpts and prove presence or
// absence; the lists are pages answered by the node at a height.

// Registry reads an enabled registry (/registry/registry): its owner,
// current definition, def and schema ids and every enabled version; nil
// when no registry of that name is enabled (with o.Prove, proven absent).
func (c *Client) Registry(ctx context.Context, name string, o ReadOpts) (*tx.Registry, *QueryResult, error) {
	return readJSON[tx.Registry](ctx, c, "/registry/registry", requestJSON(tx.RegistryRequest{Name: name}), o)
}

// Registries is a page of enabled registries in name order
// (/registry/registries) and the height it was read at; req.After is the
// Next of the previous page.
func (c *Client) Registries(ctx context.Context, req tx.RegistryPageRequest, height int64) (*tx.RegistryPage, int64, error) {
	return pageAnswer[tx.RegistryPage](ctx, c, "/registry/registries", requestJSON(req), height)
}

// RegistryCount reads how many records a registry holds, in all and per
// state (/registry/count). An unknown registry is ErrNotFound.
func (c *Client) RegistryCount(ctx context.Context, name string, height int64) (*tx.RegistryCount, error) {
	n, err := answer[tx.RegistryCount](ctx, c, "/registry/count", requestJSON(tx.RegistryRequest{Name: name}), height)
	if err != nil {
		return nil, err
	}
	return &n, nil
}

// registryIDRequest is the request of the queries keyed by a hex id.
type registryIDRequest struct {
	ID string `json:"id"`
}

// RegistryProposal reads a proposed definition awaiting the authorities
// (/registry/proposal); nil when none is pending under id (enabled
// definitions are no longer proposals).
func (c *Client) RegistryProposal(ctx context.Context, id tx.Hash32, o ReadOpts) (*tx.RegistryProposal, *QueryResult, error) {
	return readJSON[tx.RegistryProposal](ctx, c, "/registry/proposal", requestJSON(registryIDRequest{ID: id.String()}), o)
}

// RegistryProposals is a page of pending proposals in id order
// (/registry/proposals); req.After is an id in hex.
func (c *Client) RegistryProposals(ctx context.Context, req tx.RegistryPageRequest, height int64) (*tx.RegistryProposalPage, int64, error) {
	return pageAnswer[tx.RegistryProposalPage](ctx, c, "/registry/proposals", requestJSON(req), height)
}

// RegistrySchema reads a record schema by its content id
// (/registry/schema): its RFC 8785 canonical JSON as stored, whose
// SHA-256 is id; nil when no enabled definition used it.
func (c *Client) RegistrySchema(ctx context.Context, id string, o ReadOpts) (json.RawMessage, *QueryResult, error) {
	return readRaw(ctx, c, "/registry/schema", requestJSON(registryIDRequest{ID: id}), o)
}

// RegistryRecord reads record id of a registry (/registry/record): its
// state, version, data and the schema it was written under; nil when
// there is none.
func (c *Client) RegistryRecord(ctx context.Context, registry string, id uint64, o ReadOpts) (*tx.RegistryRecord, *QueryResult, error) {
	return readJSON[tx.RegistryRecord](ctx, c, "/registry/record", requestJSON(tx.RegistryRecordRequest{Registry: registry, ID: id}), o)
}

// RegistryRecords is a page of a registry's records in id order, all or
// those in req.State (/registry/records); req.After is the Next of the
// previous page. An unknown registry is ErrNotFound.
func (c *Client) RegistryRecords(ctx context.Context, req tx.RegistryRecordsRequest, height int64) (*tx.RegistryRecordPage, int64, error) {
	return pageAnswer[tx.RegistryRecordPage](ctx, c, "/registry/records", requestJSON(req), height)
}

// RegistryHistory reads a record's history, oldest step first
// (/registry/history): its creation, each transition with the accounts
// whose approvals ran it, and each move by a deadline. An unknown record
// is ErrNotFound.
func (c *Client) RegistryHistory(ctx context.Context, registry string, id uint64, height int64) ([]tx.RegistryStep, error) {
	return answer[[]tx.RegistryStep](ctx, c, "/registry/history", requestJSON(tx.RegistryRecordRequest{Registry: registry, ID: id}), height)
}

// RegistryApprovals reads the pending approvals of a record's k-of-n
// transitions (/registry/approvals); empty when none wait.
func (c *Client) RegistryApprovals(ctx context.Context, registry string, id uint64, height int64) ([]tx.RegistryApproval, error) {
	return answer[[]tx.RegistryApproval](ctx, c, "/registry/approvals", requestJSON(tx.RegistryRecordRequest{Registry: registry, ID: id}), height)
}

// RegistryIndex is a page of the ids of the records whose indexed field
// req.Field is req.Value (an integer in decimal), in id order
// (/registry/index).
func (c *Client) RegistryIndex(ctx context.Context, req tx.RegistryIndexRequest, height int64) (*tx.RegistryIDPage, int64, error) {
	return pageAnswer[tx.RegistryIDPage](ctx, c, "/registry/index", requestJSON(req), height)
}

// RegistryIndexEntry reads whether record req.ID is indexed under
// req.Field = req.Value (/registry/index_entry): one state key, so with
// o.Prove Verify proves the entry or its absence.
func (c *Client) RegistryIndexEntry(ctx context.Context, req tx.RegistryIndexEntryRequest, o ReadOpts) (bool, *QueryResult, error) {
	return readValue(ctx, c, "/registry/index_entry", requestJSON(req), o, func(b []byte) (bool, error) { return len(b) != 0, nil })
}

// RegistryGrant reads a grant of one of a registry's roles
// (/registry/grant); nil when the grantee holds none. A stored grant may
// have expired, or hang from a granter's grant that did (the chain checks
// the chain of grants when it is used).
func (c *Client) RegistryGrant(ctx context.Context, req tx.RegistryGrantRequest, o ReadOpts) (*tx.RegistryGrant, *QueryResult, error) {
	return readJSON[tx.RegistryGrant](ctx, c, "/registry/grant", requestJSON(req), o)
}

// RegistryGrants is a page of a registry's grants in (role, grantee) order
// (/registry/grants); req.After is "role/grantee" of the previous page's
// Next.
func (c *Client) RegistryGrants(ctx context.Context, req tx.RegistryPageRequest, height int64) (*tx.RegistryGrantPage, int64, error) {
	return pageAnswer[tx.RegistryGrantPage](ctx, c, "/registry/grants", requestJSON(req), height)
}
