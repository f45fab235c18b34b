/* mcp_tools: the SchedCP tools and resources the MCP server exposes.
 *
 * mcp_tools_wae.c registers the Workload Analysis Engine's tools
 * (workload_profile, workload_compare, workload_list) and the profile
 * resources (schedcp://profiles/ID). mcp_tools_scx.c registers the tools over
 * SchedCP's core (scx.h): policy_search, policy_get, policy_create,
 * policy_verify, policy_deploy, policy_rollback, scheduler_status,
 * history_read, history_record, and the policy resources
 * (schedcp://policies/NAME); mcp_tools_eval.c adds policy_evaluate. Both are
 * built only when the core is.
 */
#ifndef SCX_MCP_TOOLS_H
#define SCX_MCP_TOOLS_H

#include "mcp_server.h"

#include <stdbool.h>

struct scx_wae_store;
struct scx;

struct scx_mcp_ctx {
	struct scx_wae_store *profiles; /* where profiles are kept; NULL: not stored */
	bool allow_exec;		/* workload_profile may run commands */
	double max_profile_s;		/* bound on one profile (0: 120 s) */
	struct scx *scx;		/* SchedCP's core; NULL: no policy tools */
};

int scx_mcp_register_wae_tools(struct scx_mcp_server *srv, struct scx_mcp_ctx *ctx, char *err,
			       size_t errlen);

/* Defined only when scx_core is built (SCX_MCP_HAVE_CORE). */
int scx_mcp_register_scx_tools(struct scx_mcp_server *srv, struct scx_mcp_ctx *ctx, char *err,
			       size_t errlen);

/* policy_evaluate (mcp_tools_eval.c): a verified policy on a named workload
 * in the sched_ext VM against the default scheduler; SCX_MCP_HAVE_CORE. */
int scx_mcp_register_eval_tool(struct scx_mcp_server *srv, struct scx_mcp_ctx *ctx, char *err,
			       size_t errlen);

#endif /* SCX_MCP_TOOLS_H */
