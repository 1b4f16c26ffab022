package web

import (
	"net/http"

	"huitong/internal/stats"
)

func (s *Server) statsRoutes() []Route {
	return []Route{
		{Method: "GET", Pattern: "/api/v1/stats/dashboard", handler: s.statsDashboard},
	}
}

func (s *Server) statsDashboard(w http.ResponseWriter, r *http.Request) {
	days, err := intParam(r, "days")
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	d, err := s.Stats.Dashboard(r.Context(), stats.DashboardQuery{Days: days})
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
