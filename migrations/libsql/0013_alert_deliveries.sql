CREATE TABLE `core_alert_deliveries` (
	`anomaly_id` text NOT NULL,
	`sink` text NOT NULL,
	`episode` integer NOT NULL,
	`status` text NOT NULL,
	`attempts` integer NOT NULL,
	`next_attempt_at` text,
	`last_error` text,
	`delivered_at` text,
	`resolved_seen_at` text,
	`created_at` text NOT NULL,
	`updated_at` text NOT NULL,
	PRIMARY KEY(`anomaly_id`, `sink`)
);
--> statement-breakpoint
CREATE INDEX `core_alert_deliveries_due_idx` ON `core_alert_deliveries` (`status`,`next_attempt_at`);--> statement-breakpoint
CREATE INDEX `core_alert_deliveries_resolved_idx` ON `core_alert_deliveries` (`resolved_seen_at`);--> statement-breakpoint
CREATE INDEX `core_alert_deliveries_updated_idx` ON `core_alert_deliveries` (`updated_at`);