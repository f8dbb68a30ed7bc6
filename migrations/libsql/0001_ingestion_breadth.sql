CREATE TABLE `core_dead_letters` (
	`dead_letter_id` text PRIMARY KEY NOT NULL,
	`pipeline` text NOT NULL,
	`partition_key` text NOT NULL,
	`source` text NOT NULL,
	`request` text NOT NULL,
	`error_tag` text NOT NULL,
	`error_message` text NOT NULL,
	`attempts` integer NOT NULL,
	`payload` text,
	`status` text NOT NULL,
	`capture_id` text,
	`execution_id` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	`retry_execution_id` text
);
--> statement-breakpoint
CREATE INDEX `core_dead_letters_status_idx` ON `core_dead_letters` (`status`,`created_at`);--> statement-breakpoint
CREATE TABLE `finra_otc_transparency_venue_volume` (
	`week_ending` text NOT NULL,
	`tier` text NOT NULL,
	`symbol` text NOT NULL,
	`issue_name` text NOT NULL,
	`mpid` text NOT NULL,
	`total_weekly_share_quantity` integer NOT NULL,
	`total_weekly_trade_count` integer NOT NULL,
	`last_update_date` text NOT NULL,
	`source` text NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`week_ending`, `tier`, `symbol`, `mpid`)
);
--> statement-breakpoint
CREATE INDEX `finra_otc_venue_volume_symbol_idx` ON `finra_otc_transparency_venue_volume` (`symbol`,`week_ending`);--> statement-breakpoint
CREATE TABLE `market_quotes` (
	`symbol` text NOT NULL,
	`quoted_at` text NOT NULL,
	`source` text NOT NULL,
	`price` text NOT NULL,
	`volume` integer NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`symbol`, `quoted_at`, `source`)
);
--> statement-breakpoint
CREATE TABLE `trades` (
	`client_id` text NOT NULL,
	`trade_id` text NOT NULL,
	`symbol` text NOT NULL,
	`side` text NOT NULL,
	`quantity` text NOT NULL,
	`price` text NOT NULL,
	`executed_at` text NOT NULL,
	`venue` text NOT NULL,
	`source` text NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`client_id`, `trade_id`)
);
--> statement-breakpoint
CREATE INDEX `trades_symbol_time_idx` ON `trades` (`symbol`,`executed_at`);--> statement-breakpoint
ALTER TABLE `core_audit_log` ADD `prev_hash` text;--> statement-breakpoint
ALTER TABLE `core_audit_log` ADD `entry_hash` text;