package client

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/citychain/citychain/chain/tx"
)

// Typed queries of the credentials module (see read.go): schemas,
// accreditations, verifiers, status lists and their chunks, and issuance
// anchors, decoded into the chain's types (chain/tx). The provable reads
// take ReadOpts; a status chunk's proof (Verify) proves every bit of the
// chunk, set or clear, present or absent.

// CredentialParams reads the credentials parameters (/credentials/params):
// {"max_windows"}.
func (c *Client) CredentialParams(ctx context.Context, height int64) (json.RawMessage, error) {
	return answer[json.RawMessage](ctx, c, "/credentials/params", nil, height)
}

// CredentialSchema reads a schema (/credentials/schema); nil when it is not
// registered.
func (c *Client) CredentialSchema(ctx context.Context, id string, o ReadOpts) (*tx.Schema, *QueryResult, error) {
	return readJSON[tx.Schema](ctx, c, "/credentials/schema", []byte(id), o)
}

// CredentialSchemas is a page of schemas in id order (/credentials/schemas)
// and the height it was read at.
func (c *Client) CredentialSchemas(ctx context.Context, req tx.PageRequest, height int64) (*tx.SchemaPage, int64, error) {
	return pageAnswer[tx.SchemaPage](ctx, c, "/credentials/schemas", requestJSON(req), height)
}

// CredentialAccreditation reads an issuer's accreditation windows for a
// schema (/credentials/accreditation); nil when it never had one.
func (c *Client) CredentialAccreditation(ctx context.Context, issuer tx.Address, schema string, o ReadOpts) (*tx.Accreditation, *QueryResult, error) {
	return readJSON[tx.Accreditation](ctx, c, "/credentials/accreditation", requestJSON(tx.AccreditationRequest{Issuer: issuer, Schema: schema}), o)
}

// CredentialAccreditations is a page of accreditations, all or one
// issuer's, in (issuer, schema) order (/credentials/accreditations).
func (c *Client) CredentialAccreditations(ctx context.Context, req tx.AccreditationsRequest, height int64) (*tx.AccreditationPage, int64, error) {
	return pageAnswer[tx.AccreditationPage](ctx, c, "/credentials/accreditations", requestJSON(req), height)
}

// CredentialVerifier reads a registered verifier (/credentials/verifier);
// nil when none has the id.
func (c *Client) CredentialVerifier(ctx context.Context, id string, o ReadOpts) (*tx.Verifier, *QueryResult, error) {
	return readJSON[tx.Verifier](ctx, c, "/credentials/verifier", []byte(id), o)
}

// CredentialVerifiers is a page of verifiers in id order
// (/credentials/verifiers).
func (c *Client) CredentialVerifiers(ctx context.Context, req tx.PageRequest, height int64) (*tx.VerifierPage, int64, error) {
	return pageAnswer[tx.VerifierPage](ctx, c, "/credentials/verifiers", requestJSON(req), height)
}

// StatusList reads a status list's metadata (/credentials/list); nil when
// there is no such list.
func (c *Client) StatusList(ctx context.Context, id string, o ReadOpts) (*tx.StatusList, *QueryResult, error) {
	return readJSON[tx.StatusList](ctx, c, "/credentials/list", []byte(id), o)
}

// StatusLists is a page of status lists, all or one owner's, in (owner,
// name) order (/credentials/lists).
func (c *Client) StatusLists(ctx context.Context, req tx.StatusListsRequest, height int64) (*tx.StatusListPage, int64, error) {
	return pageAnswer[tx.StatusListPage](ctx, c, "/credentials/lists", requestJSON(req), height)
}

// CredentialStatus reads one bit of a list, not proven (/credentials/status;
// StatusChunk proves it). An unknown list is ErrNotFound.
func (c *Client) CredentialStatus(ctx context.Context, list string, idx uint32, height int64) (*tx.Status, error) {
	s, err := answer[tx.Status](ctx, c, "/credentials/status", requestJSON(tx.StatusRequest{List: list, Idx: idx}), height)
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// StatusChunk reads chunk number chunk of a list as stored
// (/credentials/status_chunk): tx.StatusChunkBytes raw bytes, all zero
// when the chunk holds no set bit (the key is then absent, and with
// o.Prove the proof proves the absence). tx.StatusBitSet reads a bit of
// it. An unknown list or a chunk past its size is a *QueryError.
func (c *Client) StatusChunk(ctx context.Context, list string, chunk uint32, o ReadOpts) ([]byte, *QueryResult, error) {
	return readValue(ctx, c, "/credentials/status_chunk", requestJSON(tx.StatusChunkRequest{List: list, Chunk: chunk}), o, func(b []byte) ([]byte, error) {
		switch {
		case b == nil:
			return make([]byte, tx.StatusChunkBytes), nil
		case len(b) != tx.StatusChunkBytes:
			return nil, fmt.Errorf("chunk %d of %s: %d bytes stored, want %d", chunk, list, len(b), tx.StatusChunkBytes)
		}
		return b, nil
	})
}

// StatusBit reads bit idx of a list from its chunk (StatusChunk): whether
// it is set, with the chunk's query result for Verify.
func (c *Client) StatusBit(ctx context.Context, list string, idx uint32, o ReadOpts) (bool, *QueryResult, error) {
	chunk, _, _ := tx.StatusBit(idx)
	b, res, err := c.StatusChunk(ctx, list, chunk, o)
	if err != nil {
		return false, nil, err
	}
	return tx.StatusBitSet(b, idx), res, nil
}

// CredentialAnchor reads an issuance anchor (/credentials/anchor); nil
// when there is none with the id.
func (c *Client) CredentialAnchor(ctx context.Context, id uint64, o ReadOpts) (*tx.CredentialAnchor, *QueryResult, error) {
	return readJSON[tx.CredentialAnchor](ctx, c, "/credentials/anchor", []byte(strconv.FormatUint(id, 10)), o)
}

// CredentialAnchors is a page of anchors in id order
// (/credentials/anchors).
func (c *Client) CredentialAnchors(ctx context.Context, req tx.PageRequest, height int64) (*tx.CredentialAnchorPage, int64, error) {
	return pageAnswer[tx.CredentialAnchorPage](ctx, c, "/credentials/anchors", requestJSON(req), height)
}

// CredentialStats are the credentials module's counts
// (/credentials/stats).
func (c *Client) CredentialStats(ctx context.Context, height int64) (*tx.CredentialStats, error) {
	s, err := answer[tx.CredentialStats](ctx, c, "/credentials/stats", nil, height)
	if err != nil {
		return nil, err
	}
	return &s, nil
}
