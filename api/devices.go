package api

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/citychain/citychain/chain/client"
	"github.com/citychain/citychain/chain/tx"
)

// The devices module's reads (chain/internal/devices): the registry.

// devicesRoutes are the devices module's endpoints, documented in
// openapi/devices.json.
func (s *Server) devicesRoutes() []route {
	return []route{
		keyed("GET", "/v1/accounts/{address}/devices", s.devicesByOwner),
		keyed("GET", "/v1/devices/{id}", s.device),
	}
}

func (s *Server) device(w http.ResponseWriter, r *http.Request) {
	id, err := pathDevice(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	s.provable(w, r, func(ctx context.Context, o client.ReadOpts) (any, *client.QueryResult, error) {
		return rawOrAbsent(stored(s.node.Device(ctx, id, o)))
	})
}

// devicesByOwner pages through an account's devices in id order, on the
// chain (a page costs its size, however many devices the account holds).
func (s *Server) devicesByOwner(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	after, err := afterParam(r, "a device id (1 to 64 characters of a-z 0-9 . _ -)", tx.ValidateDeviceID)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	limit, err := limitParam(r, 50, 500)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	ctx, cancel := s.nodeCtx(r)
	defer cancel()
	devs, err := s.node.DevicesByOwner(ctx, tx.DevicesByOwnerRequest{Owner: a, PageRequest: tx.PageRequest{After: after, Limit: uint64(limit)}}, 0)
	if err != nil {
		s.nodeError(w, r, err)
		return
	}
	p := Page[tx.Device]{Items: devs.Devices}
	if p.Items == nil {
		p.Items = []tx.Device{}
	}
	if devs.Next != "" {
		p.NextCursor = encodeCursor(devs.Next)
	}
	// Each device's keys in sorted order, as this list has always had them
	// (/v1/devices/{id} relays the stored record, in the chain's order).
	b, _ := json.Marshal(p) // devices always marshal
	var out any
	_ = json.Unmarshal(b, &out)
	writeJSON(w, http.StatusOK, out)
}
