package api

// SKELETON: the credentials helper replaces this file.

func (s *Server) credentialsRoutes() []route { return nil }
