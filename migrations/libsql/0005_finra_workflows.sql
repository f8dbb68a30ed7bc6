CREATE TABLE `core_workflow_runs` (
	`run_id` text PRIMARY KEY NOT NULL,
	`workflow` text NOT NULL,
	`domain` text NOT NULL,
	`partition_key` text NOT NULL,
	`params` text NOT NULL,
	`trigger` text NOT NULL,
	`batch_id` text NOT NULL,
	`status` text NOT NULL,
	`stage` text NOT NULL,
	`started_at` text NOT NULL,
	`finished_at` text,
	`duration_ms` integer,
	`steps` text NOT NULL,
	`error` text
);
--> statement-breakpoint
CREATE INDEX `core_workflow_runs_partition_idx` ON `core_workflow_runs` (`workflow`,`partition_key`,`started_at`);--> statement-breakpoint
CREATE TABLE `finra_otc_transparency_raw` (
	`week_ending` text NOT NULL,
	`tier` text NOT NULL,
	`record_index` integer NOT NULL,
	`tier_description` text,
	`issue_symbol_identifier` text,
	`issue_name` text,
	`market_participant_name` text,
	`mpid` text,
	`total_weekly_share_quantity` text,
	`total_weekly_trade_count` text,
	`last_update_date` text,
	`raw_record` text NOT NULL,
	`source` text NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`week_ending`, `tier`, `record_index`)
);
--> statement-breakpoint
CREATE TABLE `finra_otc_transparency_symbol_rolling_6w` (
	`week_ending` text NOT NULL,
	`tier` text NOT NULL,
	`symbol` text NOT NULL,
	`window_start` text NOT NULL,
	`weeks_in_window` integer NOT NULL,
	`avg_weekly_share_quantity` text NOT NULL,
	`avg_weekly_trade_count` text NOT NULL,
	`avg_venue_count` text NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`week_ending`, `tier`, `symbol`)
);
--> statement-breakpoint
CREATE TABLE `finra_otc_transparency_symbol_summary` (
	`week_ending` text NOT NULL,
	`tier` text NOT NULL,
	`symbol` text NOT NULL,
	`issue_name` text NOT NULL,
	`total_weekly_share_quantity` integer NOT NULL,
	`total_weekly_trade_count` integer NOT NULL,
	`venue_count` integer NOT NULL,
	`avg_trade_size` text NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`week_ending`, `tier`, `symbol`)
);
--> statement-breakpoint
CREATE INDEX `finra_otc_symbol_summary_tier_idx` ON `finra_otc_transparency_symbol_summary` (`tier`,`week_ending`);--> statement-breakpoint
CREATE TABLE `finra_otc_transparency_venue_share` (
	`week_ending` text NOT NULL,
	`tier` text NOT NULL,
	`symbol` text NOT NULL,
	`mpid` text NOT NULL,
	`total_weekly_share_quantity` integer NOT NULL,
	`market_share` text NOT NULL,
	`capture_id` text NOT NULL,
	`captured_at` text NOT NULL,
	`execution_id` text NOT NULL,
	`batch_id` text NOT NULL,
	PRIMARY KEY(`week_ending`, `tier`, `symbol`, `mpid`)
);
