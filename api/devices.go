package api

import (
	"net/http"
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
	s.provable(w, r, "/devices/device", []byte(id), rawOrAbsent)
}

func (s *Server) devicesByOwner(w http.ResponseWriter, r *http.Request) {
	a, err := pathAddress(r)
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	var devs []map[string]any
	if err := s.queryJSON(r, "/devices/by_owner", []byte(a.String()), &devs); err != nil {
		s.nodeError(w, r, err)
		return
	}
	p, err := paginate(r, devs, func(d map[string]any) string { id, _ := d["id"].(string); return id })
	if err != nil {
		s.badRequest(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}
