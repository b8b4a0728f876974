"""Claims reader: figures stated in Chinese finance prose (情况说明, 自评报告), read as located claims."""
