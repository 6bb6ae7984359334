"""The family admin: the admin site, its row scoping and the building blocks every ModelAdmin shares."""
