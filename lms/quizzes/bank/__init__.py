"""The question bank: categories, questions with immutable versions, editor, import and export."""
