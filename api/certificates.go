package api

import (
	"context"
	"net/http"
	"strconv"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The certificates module's reads (chain/internal/certificates/query.go):
// kinds, issuing agencies and their keys, issuance anchors and revocations
// of civil certificates, decoded into the chain's types (chain/tx). A
// revocation is read by the certificate's leaf; with prove=true its proof
// proves it present or absent ("not revoked").

// RevocationStatus is a certificate's revocation state by its leaf:
// Revocation is the chain's record when it is revoked.
type RevocationStatus struct {
	Leaf       tx.Hash32      `json:"leaf"`
	Revoked    bool           `json:"revoked"`
	Revocation *tx.Revocation `json:"revocation,omitempty"`
}

const (
	certKindExpected   = "a certificate kind id: 1 to 64 characters of a-z 0-9 _"
	certAnchorExpected = "an anchor id: a decimal integer from 1"
	certHashExpected   = "64 lowercase hex characters (a SHA-256 digest)"
)

func validCertAnchorID(s string) error {
	n, err := strconv.ParseUint(s, 10, 64)
	if err == nil && n == 0 {
		err = strconv.ErrRange
	}
	return err
}

func (s *Server) certificateStats(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	st, err := s.node.CertificateStats(ctx, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) certificateKinds(w http.ResponseWriter, r *http.Request) {
	req, err := afterPageRequest(r, certKindExpected, tx.ValidateCertificateKindID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, err := s.node.CertificateKinds(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Kinds, p.Next))
}

func (s *Server) certificateKind(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	if err := tx.ValidateCertificateKindID(id); err != nil {
		s.badRequest(w, r, badField("id", certKindExpected, "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.CertificateKind(ctx, id, o)))
	})
}

func (s *Server) certificateAgency(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.CertificateAgency(ctx, a, o)))
	})
}

func (s *Server) certificateKey(w http.ResponseWriter, r *http.Request) {
	k, err := tx.ParsePubKey(r.PathValue("key"))
	if err != nil {
		s.badRequest(w, r, badField("key", "64 lowercase hex characters (an ed25519 public key)", "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.AgencyKey(ctx, k, o)))
	})
}

func (s *Server) certificateAnchors(w http.ResponseWriter, r *http.Request) {
	req := tx.CertificateAnchorsRequest{Kind: r.URL.Query().Get("kind")}
	if req.Kind != "" {
		if err := tx.ValidateCertificateKindID(req.Kind); err != nil {
			s.badRequest(w, r, badField("kind", certKindExpected, "%v", err))
			return
		}
	}
	page, err := afterPageRequest(r, certAnchorExpected, validCertAnchorID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	req.PageRequest = page
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	p, err := s.node.CertificateAnchors(ctx, req, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, afterPage(p.Anchors, p.Next))
}

func (s *Server) certificateAnchor(w http.ResponseWriter, r *http.Request) {
	n, err := parseUint("id", r.PathValue("id"))
	if err == nil && n == 0 {
		err = badField("id", certAnchorExpected, "anchor id 0 does not exist; ids start at 1")
	}
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.CertificateAnchor(ctx, n, o)))
	})
}

// certificateRevocation answers a certificate's revocation state by its
// leaf: revoked or not is a 200 either way, and with prove=true the proof
// proves the record present or the key absent.
func (s *Server) certificateRevocation(w http.ResponseWriter, r *http.Request) {
	leaf, err := tx.ParseHash32(r.PathValue("leaf"))
	if err != nil {
		s.badRequest(w, r, badField("leaf", certHashExpected, "%v", err))
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		rev, res, err := s.node.CertificateRevocation(ctx, leaf, o)
		if err != nil {
			return nil, res, err
		}
		return RevocationStatus{Leaf: leaf, Revoked: rev != nil, Revocation: rev}, res, nil
	})
}

// certificatesRoutes are the certificates module's endpoints, documented
// in openapi/certificates.json.
func (s *Server) certificatesRoutes() []route {
	return []route{
		keyed("GET", "/v1/certificates/stats", s.certificateStats),
		keyed("GET", "/v1/certificates/kinds", s.certificateKinds),
		keyed("GET", "/v1/certificates/kinds/{id}", s.certificateKind),
		keyed("GET", "/v1/certificates/agencies/{address}", s.certificateAgency),
		keyed("GET", "/v1/certificates/keys/{key}", s.certificateKey),
		keyed("GET", "/v1/certificates/anchors", s.certificateAnchors),
		keyed("GET", "/v1/certificates/anchors/{id}", s.certificateAnchor),
		keyed("GET", "/v1/certificates/revocations/{leaf}", s.certificateRevocation),
	}
}
