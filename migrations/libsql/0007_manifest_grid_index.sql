DROP INDEX `core_manifest_partition_idx`;--> statement-breakpoint
CREATE INDEX `core_manifest_grid_idx` ON `core_manifest` (`domain`,`stage`,`partition_key`,`captured_at`,`capture_id`,`status`);