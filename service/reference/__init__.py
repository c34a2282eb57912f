"""Reference data: GB/T 2260 regions, the matter catalogue, provincial departments, the demo seed."""
