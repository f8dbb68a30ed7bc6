-- Default delivery schedules for MissingData (issue 4): daily bars and executions are due
-- every NYSE trading day (expected_day_of_week NULL) by the New York time given, with the
-- tolerance in hours. Operators change these rows; existing rows are left alone.
INSERT OR IGNORE INTO `core_expected_schedules` (`domain`, `stage`, `expected_day_of_week`, `expected_time`, `tolerance_hours`) VALUES ('market_data', 'INGEST', NULL, '17:00', 1);--> statement-breakpoint
INSERT OR IGNORE INTO `core_expected_schedules` (`domain`, `stage`, `expected_day_of_week`, `expected_time`, `tolerance_hours`) VALUES ('trade_data', 'INGEST', NULL, '18:00', 1);
