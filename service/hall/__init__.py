"""What the web hall (办事大厅) reads: account records and verification status within a client's regions."""
