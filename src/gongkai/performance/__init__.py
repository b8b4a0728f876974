"""Performance reports (自评表, 评价报告, 部门整体): records, targets, scoring methods, rulesets, scoring and checks."""
