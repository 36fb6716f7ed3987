"""DPO export: pairs' live labels aggregated into preference rows TRL accepts as they are."""
