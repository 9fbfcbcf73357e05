"""Reading what users give: stack files as the Pulumi CLI reads them (go-yaml v3 semantics, limits, secure
values), inventories of pre-existing cloud objects, and where the project lives."""
