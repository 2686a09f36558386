package api

// SKELETON: the certificates helper replaces this file.

func (s *Server) certificatesRoutes() []route { return nil }
