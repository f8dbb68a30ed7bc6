ALTER TABLE `core_anomalies` ADD `pipeline` text;--> statement-breakpoint
ALTER TABLE `core_anomalies` ADD `capture_id` text;--> statement-breakpoint
ALTER TABLE `core_anomalies` ADD `observed_at` text;--> statement-breakpoint
CREATE INDEX `core_anomalies_detected_idx` ON `core_anomalies` (`detected_at`);