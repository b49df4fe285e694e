//! The migrations this runbook carries. Phase 0 is the only one so far.

/// Name of the Phase 0 migration, as Prisma's folder names it.
pub const PHASE_0: &str = "add_mobile_sync_support";
