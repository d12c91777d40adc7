"""Registration's HTTP routers, their request and response schemas, and its error mapping."""
