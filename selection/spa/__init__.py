"""SPA (arXiv 2406.04412): rounds in which a judge fitted on people's labels labels the rest,
held for an audit before they count. The pure maths is in selection/spa/judges/."""
