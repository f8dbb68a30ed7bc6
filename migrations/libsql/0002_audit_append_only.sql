-- The audit log is append-only in the database itself: UPDATE and DELETE are refused.
CREATE TRIGGER `core_audit_log_no_update` BEFORE UPDATE ON `core_audit_log`
BEGIN
  SELECT RAISE(ABORT, 'core_audit_log is append-only: UPDATE refused');
END;
--> statement-breakpoint
CREATE TRIGGER `core_audit_log_no_delete` BEFORE DELETE ON `core_audit_log`
BEGIN
  SELECT RAISE(ABORT, 'core_audit_log is append-only: DELETE refused');
END;
