/* agent_llm: the LLM planner of sched-agent (agent_llm.c), over lib/llm. */
#ifndef SCX_AGENT_LLM_H
#define SCX_AGENT_LLM_H

#include "agent_plan.h"
#include "llm.h"

/* Asks the model for the next decision. Tokens and cost are filled even when
 * the reply cannot be used (-EINVAL with the reason); -EIO when the call
 * failed (err from lib/llm). */
int scx_agent_plan_llm(struct llm_client *client, const json_t *profile, const json_t *policies,
		       const struct scx_agent_iter *hist, size_t nhist,
		       struct scx_agent_decision *out, char *err, size_t errlen);

/* Checks and takes a model's reply text (JSON object, possibly inside other
 * text): a candidate policy with integer tunables, or a new policy's source. */
int scx_agent_parse_llm_reply(const char *text, const json_t *policies,
			      struct scx_agent_decision *out, char *err, size_t errlen);

#endif /* SCX_AGENT_LLM_H */
