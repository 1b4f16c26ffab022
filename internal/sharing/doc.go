// Package sharing keeps requests for access to shared resources, their
// approval and the grants they create: who may read which fields of which
// resource, for what purpose, until when, at what rate. The exchange
// gateway asks it for the live grant behind each call.
//
// # Flow
//
// A consumer (a user or app of the consumer org holding the role consumer)
// requests named fields of a resource for a purpose until a time. What
// happens next depends on the resource's share type:
//
//   - none: the request is refused (403 share_type_none, naming the
//     resource's legal basis);
//   - unconditional: approved at once with [DefaultTerms], approved by
//     [SystemApprover], and the grant is created with the request;
//   - conditional: the request waits (pending) for a provider officer of
//     the provider org, who approves, optionally narrowing the fields and
//     shortening the expiry, setting unmasked fields, rate and daily quota,
//     or rejects it with a reason.
//
// Whenever the approved fields include a level-4 (restricted) field, the
// request waits in awaiting_countersign with its terms stored and no grant,
// until an admin countersigns (the grant is created then) or refuses.
//
// A grant is stored active or revoked; expired is derived from its expiry
// at the time of each call ([Grant.StatusAt]), so that no job has to run
// for a grant to stop working. Providers of the provider org and admins
// revoke grants, with immediate effect.
//
// # Live grants
//
// [Service.Live] is what the exchange gateway calls on every read. The
// caller's org is the consumer. A grant with AppID 0 is org-wide: every
// consumer user and app of the org may use it. A grant with an AppID is
// bound to that app (business system): only that app may use it, not the
// org's people nor its other apps. Without a grant id Live picks the newest
// live grant usable by the caller; if there is none it reports why, from the
// newest usable grant: [ErrGrantRevoked], [ErrGrantExpired], or
// [ErrNoGrant] when there was never one.
//
// # Audit
//
// Every decision (request, approve, reject, countersign, revoke) is
// appended to the audit log before it is made, with the request's purpose,
// the resource as object, the role that allowed it as rule, and request and
// grant ids and field names (never values) as detail; a change that fails
// after its record gets a second record (outcome failed), and a refused
// attempt is recorded with outcome denied and the error code as reason.
// Input that fails validation is not recorded.
package sharing
