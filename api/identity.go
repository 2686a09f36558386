package api

// SKELETON: the identity helper replaces this file.

func (s *Server) identityRoutes() []route { return nil }
