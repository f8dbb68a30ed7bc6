CREATE TABLE `core_anomalies` (
	`anomaly_id` text PRIMARY KEY NOT NULL,
	`domain` text NOT NULL,
	`stage` text NOT NULL,
	`partition_key` text NOT NULL,
	`severity` text NOT NULL,
	`category` text NOT NULL,
	`message` text NOT NULL,
	`detected_at` text NOT NULL,
	`metadata` text,
	`resolved_at` text
);
--> statement-breakpoint
CREATE INDEX `core_anomalies_partition_idx` ON `core_anomalies` (`domain`,`partition_key`);--> statement-breakpoint
CREATE TABLE `core_audit_log` (
	`seq` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`audit_id` text NOT NULL,
	`occurred_at` text NOT NULL,
	`event_type` text NOT NULL,
	`entity_type` text NOT NULL,
	`entity_id` text NOT NULL,
	`domain` text NOT NULL,
	`partition_key` text,
	`capture_id` text,
	`execution_id` text,
	`old_state` text,
	`new_state` text,
	`metadata` text
);
--> statement-breakpoint
CREATE UNIQUE INDEX `core_audit_log_audit_id_unique` ON `core_audit_log` (`audit_id`);--> statement-breakpoint
CREATE INDEX `core_audit_log_capture_idx` ON `core_audit_log` (`capture_id`);--> statement-breakpoint
CREATE TABLE `core_calc_dependencies` (
	`calc_id` text NOT NULL,
	`depends_on_calc_id` text NOT NULL,
	PRIMARY KEY(`calc_id`, `depends_on_calc_id`)
);
--> statement-breakpoint
CREATE TABLE `core_data_readiness` (
	`domain` text NOT NULL,
	`stage` text NOT NULL,
	`partition_key` text NOT NULL,
	`week_ending` text NOT NULL,
	`is_ready` integer NOT NULL,
	`checked_at` text NOT NULL,
	PRIMARY KEY(`domain`, `stage`, `partition_key`, `week_ending`)
);
--> statement-breakpoint
CREATE TABLE `core_expected_schedules` (
	`domain` text NOT NULL,
	`stage` text NOT NULL,
	`expected_day_of_week` integer,
	`expected_time` text,
	`tolerance_hours` integer,
	PRIMARY KEY(`domain`, `stage`)
);
--> statement-breakpoint
CREATE TABLE `core_manifest` (
	`capture_id` text PRIMARY KEY NOT NULL,
	`domain` text NOT NULL,
	`stage` text NOT NULL,
	`partition_key` text NOT NULL,
	`captured_at` text NOT NULL,
	`status` text NOT NULL,
	`row_count` integer,
	`metadata` text,
	`execution_id` text,
	`batch_id` text
);
--> statement-breakpoint
CREATE INDEX `core_manifest_partition_idx` ON `core_manifest` (`domain`,`stage`,`partition_key`,`captured_at`);--> statement-breakpoint
CREATE TABLE `core_quarantine` (
	`quarantine_id` text PRIMARY KEY NOT NULL,
	`domain` text NOT NULL,
	`stage` text NOT NULL,
	`partition_key` text NOT NULL,
	`source` text NOT NULL,
	`record_index` integer NOT NULL,
	`raw_record` text NOT NULL,
	`reasons` text NOT NULL,
	`capture_id` text NOT NULL,
	`execution_id` text NOT NULL,
	`quarantined_at` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `core_quarantine_partition_idx` ON `core_quarantine` (`domain`,`partition_key`);--> statement-breakpoint
CREATE TABLE `market_prices` (
	`symbol` text NOT NULL,
	`trading_date` text NOT NULL,
	`source` text NOT NULL,
	`open` text NOT NULL,
	`high` text NOT NULL,
	`low` text NOT NULL,
	`close` text NOT NULL,
	`volume` integer NOT NULL,
	`vwap` text,
	`trade_count` integer,
	`bar_start` text NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`symbol`, `trading_date`, `source`)
);
--> statement-breakpoint
CREATE INDEX `market_prices_date_idx` ON `market_prices` (`trading_date`);--> statement-breakpoint
CREATE INDEX `market_prices_capture_idx` ON `market_prices` (`capture_id`);