"""The content pipeline: curriculum files in, checked data and safe HTML out.

`files`, `frontmatter`, `fields`, `links` and `render` are plain Python with
no Flask in them, so `lms check` and the tests can call them anywhere;
`models` and `sync` are the bridge to the database.
"""
